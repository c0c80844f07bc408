/* Scoring problems: the grading rules (see grading.h). */
