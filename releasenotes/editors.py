"""The "editors" group: exactly the permissions the content team needs."""

from django.contrib.auth.models import Group, Permission

EDITORS = "editors"
# Editors change and add content and read its history; deleting and the structural
# records that tie releases together (stage entries aside) stay with administrators.
EDITABLE = ["enhancement", "stageentry", "theme", "apiremoval", "faqentry", "glossaryterm", "snippet", "sig"]
VIEW_ONLY = ["release"]


def ensure_editors_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=EDITORS)
    codenames = [f"{action}_{model}" for model in EDITABLE for action in ("view", "add", "change")]
    codenames += [f"view_{model}" for model in VIEW_ONLY]
    codenames += [f"view_historical{model}" for model in EDITABLE + VIEW_ONLY]
    permissions = Permission.objects.filter(content_type__app_label="releasenotes", codename__in=codenames)
    group.permissions.set(permissions)
    return group
