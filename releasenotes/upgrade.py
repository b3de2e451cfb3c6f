"""An upgrade from one release to another, release by release: what it removes, which
notes need action, what it deprecates, and what to do first."""

from dataclasses import dataclass, field

from .checker import load_rules
from .manifests import LAST_TARGET
from .models import ApiRemoval, Release, ReleaseNote
from .versions import parse_minor

# The kubelet's built-in Docker Engine support (dockershim) was deprecated in 1.20 and
# removed in 1.24 (facts file, dockershim section; our FAQ at /dockershim/).
DOCKERSHIM_REMOVED_IN = "1.24"


@dataclass
class Step:
    version: str
    release: Release | None  # None for a release we hold no notes for
    removals: list = field(default_factory=list)
    action_required: list = field(default_factory=list)
    deprecations: list = field(default_factory=list)  # those not already action-required
    # After the guide's last release: the removals pluto's table names, as
    # (apiVersion, kinds, replacement apiVersion or "").
    table_removals: list = field(default_factory=list)

    @property
    def guide_covers(self) -> bool:
        """Whether our removed-API list (the official guide's, 1.16–1.32) reaches this release."""
        return parse_minor(self.version) <= (1, LAST_TARGET)

    @property
    def removes_dockershim(self) -> bool:
        return self.version == DOCKERSHIM_REMOVED_IN

    @property
    def has_notes(self) -> bool:
        return self.release is not None and self.release.note_count > 0


@dataclass
class UpgradePath:
    current: str
    target: str
    steps: list[Step]

    @property
    def removals(self) -> int:
        return sum(len(s.removals) + len(s.table_removals) for s in self.steps)

    @property
    def action_required(self) -> int:
        return sum(len(s.action_required) for s in self.steps)

    @property
    def deprecations(self) -> int:
        return sum(len(s.deprecations) for s in self.steps)

    @property
    def dockershim_step(self) -> Step | None:
        return next((s for s in self.steps if s.removes_dockershim), None)


def upgrade_path(current: str, target: str, versions: list[str]) -> UpgradePath:
    """`versions`: every minor version after `current` up to `target`, in order."""
    removals = list(ApiRemoval.objects.with_releases().between(current, target))
    releases = {r.version: r for r in Release.objects.with_note_counts().between(current, target)}
    notes = list(
        ReleaseNote.objects.filter(release__in=list(releases.values()))
        .to_read_before_upgrading()
        .only(*ReleaseNote.LISTED)
        .order_by("pr_number")
    )
    later = [v for v in versions if parse_minor(v) > (1, LAST_TARGET)]
    table: dict[tuple[str, str], dict] = {}
    for rule in load_rules().rules if later else ():
        if rule.removed_in in later:
            replacement = rule.replacements[-1].api_version if rule.replacements else ""
            row = table.setdefault((rule.removed_in, rule.api_version), {"kinds": [], "replacement": replacement})
            row["kinds"].append(rule.kind)
    steps = []
    for version in versions:
        release = releases.get(version)
        mine = [n for n in notes if release is not None and n.release_id == release.pk]
        steps.append(
            Step(
                version=version,
                release=release,
                removals=[r for r in removals if r.removed_in.version == version],
                action_required=[n for n in mine if n.action_required],
                deprecations=[n for n in mine if not n.action_required],
                table_removals=[
                    {"api_version": api_version, **row}
                    for (removed_in, api_version), row in table.items()
                    if removed_in == version
                ],
            )
        )
    return UpgradePath(current, target, steps)
