"""The audit log: an append-only record of every read of member data and every write.

HIPAA 45 CFR 164.312(b) (audit controls); OWASP ASVS 4.0.3 7.1.3 and 7.3.3.
"""
