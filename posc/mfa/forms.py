"""The one field of the second-factor pages: a code."""

from django import forms


class CodeForm(forms.Form):
    """A verification code: the authenticator app's 6 digits, or a recovery code."""

    code = forms.CharField(
        label="Verification code", max_length=16, strip=True,
        error_messages={"required": "Enter your verification code."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autocapitalize": "off",
                                      "spellcheck": "false", "aria-describedby": "code-hint",
                                      "autofocus": True}))
