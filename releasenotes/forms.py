from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .manifests import FIRST_TARGET, LAST_CHECK_TARGET
from .versions import VersionError, parse_minor

# An upgrade range stays within what the checker's rules cover (see manifests.py): the
# official guide's removals up to 1.32, pluto's table after that, and the release notes.
FIRST_VERSION, LAST_VERSION = (1, FIRST_TARGET - 1), (1, LAST_CHECK_TARGET)


class VersionField(forms.CharField):
    default_error_messages = {
        "invalid": _('"%(value)s" is not a Kubernetes version such as 1.22.'),
        "range": _("Choose a version between 1.%(first)s and 1.%(last)s."),
    }

    def __init__(self, **kwargs):
        super().__init__(max_length=10, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            major, minor = parse_minor(value)
        except VersionError:
            raise ValidationError(self.error_messages["invalid"], code="invalid", params={"value": value}) from None
        if not FIRST_VERSION <= (major, minor) <= LAST_VERSION:
            raise ValidationError(
                self.error_messages["range"], code="range", params={"first": FIRST_VERSION[1], "last": LAST_VERSION[1]}
            )
        return f"{major}.{minor}"


class UpgradeForm(forms.Form):
    from_version = VersionField(label=_("From version"))
    to_version = VersionField(label=_("To version"))

    def clean(self):
        data = super().clean()
        current, target = data.get("from_version"), data.get("to_version")
        if current and target and parse_minor(current) >= parse_minor(target):
            raise ValidationError(_("The target version must be newer than the current one."), code="order")
        return data
