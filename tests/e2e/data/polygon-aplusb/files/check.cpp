// checker
