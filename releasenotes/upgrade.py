"""An upgrade from one release to another, release by release: what it removes, which
notes need action, what it deprecates, and what to do first."""

from dataclasses import dataclass, field

from .models import ApiRemoval, Release, ReleaseNote

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
        return sum(len(s.removals) for s in self.steps)

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
            )
        )
    return UpgradePath(current, target, steps)
