"""A second factor at sign-in: TOTP codes from an authenticator app, and recovery codes.

HIPAA 45 CFR 164.312(d) (person or entity authentication), OWASP ASVS 4.0.3 2.7/2.8.
django-otp keeps the devices and checks the codes (RFC 6238); this package is the portal's
flow around it: the gate (middleware.py), the pages (views.py) and the services.
"""
