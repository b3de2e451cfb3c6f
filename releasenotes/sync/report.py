"""What a sync did (or, with --dry-run, would do), step by step."""

from dataclasses import dataclass, field


@dataclass
class StepReport:
    name: str
    created: int = 0
    updated: int = 0
    removed: int = 0  # rows an earlier sync wrote that upstream no longer has
    unchanged: int = 0
    kept: int = 0  # fields an editor changed, kept as they are
    conflicts: int = 0  # of those, new ones upstream changed too (queued for review)
    problems: list[str] = field(default_factory=list)  # "file: key: what is wrong"
    changes: list[str] = field(default_factory=list)  # "created note 1.22 #12345", for --dry-run

    @property
    def changed(self) -> int:
        return self.created + self.updated + self.removed

    def summary(self) -> str:
        removed = f"{self.removed} removed, " if self.removed else ""
        line = (
            f"{self.name}: {self.created} created, {self.updated} updated, {removed}{self.unchanged} unchanged, "
            f"{self.kept} editor values kept, {self.conflicts} new conflicts"
        )
        if self.problems:
            line += f", {len(self.problems)} problems"
        return line


@dataclass
class SyncReport:
    dry_run: bool = False
    steps: list[StepReport] = field(default_factory=list)

    def step(self, name: str) -> StepReport:
        """Start reporting on a new step; upsert() counts into the latest one."""
        self.steps.append(StepReport(name))
        return self.steps[-1]

    @property
    def current(self) -> StepReport:
        if not self.steps:
            self.step("sync")
        return self.steps[-1]

    @property
    def changed(self) -> int:
        return sum(step.changed for step in self.steps)

    @property
    def problems(self) -> list[str]:
        return [problem for step in self.steps for problem in step.problems]

    def total(self) -> str:
        created = sum(s.created for s in self.steps)
        updated = sum(s.updated for s in self.steps)
        removed = sum(s.removed for s in self.steps)
        unchanged = sum(s.unchanged for s in self.steps)
        conflicts = sum(s.conflicts for s in self.steps)
        verb = "would change" if self.dry_run else "changed"
        parts = f"{created} created, {updated} updated" + (f", {removed} removed" if removed else "")
        head = f"total: {verb} {created + updated + removed} rows ({parts}), {unchanged} unchanged"
        if created + updated + removed == 0:
            head = f"total: nothing to change, {unchanged} rows already up to date"
        return f"{head}, {conflicts} new conflicts, {len(self.problems)} problems"
