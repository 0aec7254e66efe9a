"""The X12 code lists a 999 or TA1 answers with, and their plain-English descriptions.

IK5/AK9 acknowledgment codes, IK3/IK4 error codes (999 TR3 005010X231A1) and TA1 notes
(X12.5 interchange control structures, code list I18), shortened for the portal's screens.
"""

from collections.abc import Iterable

# IK5 (transaction set) and AK9 (functional group) acknowledgment codes, 999 TR3.
TRANSACTION_CODES = {
    "A": "Accepted",
    "E": "Accepted, but errors were noted",
    "M": "Rejected: message authentication code failed",
    "P": "Partially accepted: at least one transaction set was rejected",
    "R": "Rejected",
    "W": "Rejected: assurance failed validity tests",
    "X": "Rejected: content after decryption could not be analyzed",
}
ACCEPTED_CODES = frozenset("A")
ACCEPTED_WITH_ERRORS_CODES = frozenset("EP")  # P: one of several sets rejected (we send one)

# IK304 Segment Syntax Error Code (999 TR3, code list 620).
SEGMENT_ERRORS = {
    "1": "Unrecognized segment ID",
    "2": "Unexpected segment",
    "3": "Required segment missing",
    "4": "Loop occurs more often than allowed",
    "5": "Segment occurs more often than allowed",
    "6": "Segment not in the defined transaction set",
    "7": "Segment not in proper sequence",
    "8": "Segment has data element errors",
    "I4": "A segment the guide does not use is present",
    "I6": "A segment the guide requires in this case is missing",
    "I7": "Loop occurs fewer times than the guide requires",
    "I8": "Segment occurs fewer times than the guide requires",
    "I9": "A segment the guide does not use in this case is present",
}

# IK403 Implementation Data Element Syntax Error Code (999 TR3, code list 621).
ELEMENT_ERRORS = {
    "1": "Required data element missing",
    "2": "Conditionally required data element missing",
    "3": "Too many data elements",
    "4": "Data element too short",
    "5": "Data element too long",
    "6": "Invalid character in data element",
    "7": "Invalid code value",
    "8": "Invalid date",
    "9": "Invalid time",
    "10": "Exclusion condition violated",
    "12": "Too many repetitions",
    "13": "Too many components",
    "I6": "Code value not used in this implementation",
    "I9": "A data element the guide requires in this case is missing",
    "I10": "A data element the guide does not use is present",
    "I11": "Too few repetitions",
    "I12": "Value does not match the pattern the guide requires",
    "I13": "A data element the guide does not use in this case is present",
}

# IK502–IK506 Implementation Transaction Set Syntax Error Code (999 TR3, code list 718).
TRANSACTION_ERRORS = {
    "1": "Transaction set not supported",
    "2": "Transaction set trailer missing",
    "3": "Control numbers in the header and trailer do not match",
    "4": "Number of included segments does not match the actual count",
    "5": "One or more segments in error",
    "6": "Missing or invalid transaction set identifier",
    "7": "Missing or invalid transaction set control number",
    "18": "Transaction set not in a functional group",
    "19": "Invalid implementation convention reference",
    "23": "Transaction set control number not unique within the functional group",
    "I5": "One or more segments in error",
    "I6": "Implementation convention not supported",
}

# TA105 Interchange Note Code (X12.5 interchange control structures, code list I18).
INTERCHANGE_NOTES = {
    "000": "No error",
    "001": "The interchange control numbers in the header and trailer do not match",
    "002": "This standard is not supported",
    "003": "This version of the controls is not supported",
    "004": "The segment terminator is invalid",
    "005": "Invalid sender ID qualifier",
    "006": "Invalid sender ID",
    "007": "Invalid receiver ID qualifier",
    "008": "Invalid receiver ID",
    "009": "Unknown receiver ID",
    "010": "Invalid authorization information qualifier",
    "011": "Invalid authorization information",
    "012": "Invalid security information qualifier",
    "013": "Invalid security information",
    "014": "Invalid interchange date",
    "015": "Invalid interchange time",
    "016": "Invalid interchange standards identifier",
    "017": "Invalid interchange version ID",
    "018": "Invalid interchange control number",
    "019": "Invalid acknowledgment requested value",
    "020": "Invalid test indicator",
    "021": "Invalid number of included groups",
    "022": "Invalid control structure",
    "023": "The file ended too early",
    "024": "Invalid interchange content (for example an invalid GS segment)",
    "025": "Duplicate interchange control number",
    "026": "Invalid data element separator",
    "027": "Invalid component element separator",
    "028": "Invalid delivery date in a deferred delivery request",
    "029": "Invalid delivery time in a deferred delivery request",
    "030": "Invalid delivery time code in a deferred delivery request",
    "031": "Invalid grade of service code",
}
TA1_CODES = {"A": "Interchange accepted", "E": "Interchange accepted, with errors noted",
             "R": "Interchange rejected"}


def reasons(codes: Iterable[str], table: dict[str, str]) -> str:
    """Return the plain-English descriptions of *codes* from *table*, joined."""
    return "; ".join(table.get(code, code) for code in codes)
