from django import forms

from interop.models import ApiClient, Scope


class ApiClientForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        help_text="Who will call, e.g. the EHR's or interface engine's name.",
    )
    scope = forms.ChoiceField(
        choices=Scope.choices,
        initial=Scope.READ,
        widget=forms.RadioSelect,
        help_text="Read: search and read results. Read and write: also send screens in.",
    )

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiClient.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("An API client with this name exists; choose another.")
        return name
