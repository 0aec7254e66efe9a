"""Dates are shown and typed as MM/DD/YYYY, as on the POSC (contracts/ui.md)."""

DATE_FORMAT = "m/d/Y"
SHORT_DATE_FORMAT = "m/d/Y"
DATE_INPUT_FORMATS = ["%m/%d/%Y", "%Y-%m-%d"]
DATETIME_FORMAT = "m/d/Y g:i A"
