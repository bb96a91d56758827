"""kam_xl: key account management methods in Excel."""
