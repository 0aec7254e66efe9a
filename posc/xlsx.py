"""What every spreadsheet the portal reads or writes guards against."""

# A cell starting with one of these is run as a formula by Excel and LibreOffice (CSV/formula
# injection, OWASP): exports neutralise them, imports refuse them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
