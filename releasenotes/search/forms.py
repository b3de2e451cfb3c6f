"""What narrows a search, checked in one place for the page and the API."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..versions import try_normalise
from .registry import registry


class NarrowingForm(forms.Form):
    """`type` (any of the registered kinds) and `release` ("1.22"). The query itself is
    read as typed (see text.clean_query): it has its own rules for odd characters."""

    type = forms.MultipleChoiceField(label=_("Type"), required=False)
    release = forms.CharField(label=_("Release"), required=False, max_length=10)

    def __init__(self, *args, releases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = registry.choices()
        self.releases = releases  # offered in the page's form; any version is accepted

    def clean_release(self):
        value = self.cleaned_data["release"].strip()
        if value and not try_normalise(value):
            raise forms.ValidationError(_("Give a Kubernetes version such as 1.22."), code="invalid")
        return try_normalise(value) or ""

    def narrowing(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        return {"kinds": data.get("type") or (), "release": data.get("release") or ""}

    def error_message(self) -> str:
        return "; ".join(f"{name}: {' '.join(errors)}" for name, errors in self.errors.items())
