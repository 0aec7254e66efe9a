"""The API tokens page's form: a name and how long the token lives."""

from django import forms

EXPIRY_CHOICES = [("30", "30 days"), ("90", "90 days"), ("180", "180 days"), ("365", "1 year")]


class ApiTokenForm(forms.Form):
    name = forms.CharField(label="Token name", max_length=60,
                           help_text="What the token is for, e.g. the script that uses it.",
                           error_messages={"required": "Enter a name for the token."})
    days = forms.TypedChoiceField(label="Expires after", choices=EXPIRY_CHOICES, coerce=int,
                                  initial="90",
                                  error_messages={"required": "Choose when the token expires.",
                                                  "invalid_choice": "Choose an expiry from the "
                                                                    "list."})

    def clean_name(self) -> str:
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Enter a name for the token.")
        return name
