/* Scoring problems: the grading rules (placeholder, filled below). */
