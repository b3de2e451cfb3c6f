from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connections, models
from django.db.models import Case, Count, F, Q, Value, When
from django.db.models.functions import Lower
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from . import translation_status
from .markup import MAX_LENGTH as MARKDOWN_MAX_LENGTH
from .markup import render_markdown
from .versions import covered_releases, parse_minor


class ContentVersionQuerySet(models.QuerySet):
    def number(self) -> int:
        # Read on every public request, so one plain statement rather than a built query.
        with connections[self.db].cursor() as cursor:
            cursor.execute(f"SELECT MAX(number) FROM {self.model._meta.db_table}")  # noqa: S608 - no input
            return cursor.fetchone()[0] or 0

    def bump(self) -> None:
        if not self.update(number=F("number") + 1):
            self.create(number=2)


class ContentVersion(models.Model):
    """One row counting content changes: every save or delete of content bumps it.

    Cached pages and ETags are keyed by this number (releasenotes/cache.py). It lives in the
    database, changed in the same transaction as the edit, so every instance sees the new
    number as soon as the edit commits, and losing the cache can never bring back a page
    built from older content.
    """

    number = models.PositiveBigIntegerField(_("number"), default=1)

    objects = ContentVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("content version")
        verbose_name_plural = _("content versions")

    def __str__(self):
        return str(self.number)


class RenderedMarkdown(models.Model):
    """Stores the sanitised HTML of its Markdown fields whenever the record is saved.

    A model lists its Markdown fields in MARKDOWN_FIELDS (declared with
    `max_length=MARKDOWN_MAX_LENGTH`); `rendered_html` maps each column (`summary_en`,
    `summary_ko`, or `text` for an untranslated field) to its HTML, filled by the pre_save
    receiver below, so fixtures and `loaddata` fill it too. Pages read `obj.html(column)`
    and never render Markdown themselves.
    """

    MARKDOWN_FIELDS: tuple[str, ...] = ()

    rendered_html = models.JSONField(_("rendered HTML"), default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def markdown_columns(cls) -> list[str]:
        names = {concrete.name for concrete in cls._meta.concrete_fields}
        columns = []
        for name in cls.MARKDOWN_FIELDS:
            per_language = [f"{name}_{code}" for code, _name in settings.LANGUAGES if f"{name}_{code}" in names]
            columns += per_language or [name]
        return columns

    def render_markdown_fields(self) -> None:
        self.rendered_html = {column: str(render_markdown(getattr(self, column))) for column in self.markdown_columns()}

    def html(self, column: str) -> SafeString:
        return mark_safe(self.rendered_html.get(column, ""))  # noqa: S308 - sanitised when saved


@receiver(pre_save)
def _render_markdown_on_save(sender, instance, **kwargs):
    if isinstance(instance, RenderedMarkdown):
        instance.render_markdown_fields()


class Editable(models.Model):
    """What every record editors work on shares.

    `revision` counts saves, so the admin can refuse a save made from a stale copy
    (optimistic concurrency). `translation_sources` remembers, per translated field, the
    English text the Korean was written from (see translation_status.py).
    """

    TRANSLATED_FIELDS: tuple[str, ...] = ()

    revision = models.PositiveIntegerField(_("revision"), default=1, editable=False)
    translation_sources = models.JSONField(_("translated from"), default=dict, blank=True, editable=False)

    class Meta:
        abstract = True

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._loaded_korean = {
            field: getattr(instance, f"{field}_ko", None)
            for field in cls.TRANSLATED_FIELDS
            if f"{field}_ko" in instance.__dict__
        }
        return instance

    def save(self, *args, **kwargs):
        if self.TRANSLATED_FIELDS:
            translation_status.note_translations(self, getattr(self, "_loaded_korean", None))
        super().save(*args, **kwargs)
        self._loaded_korean = {f: getattr(self, f"{f}_ko", None) for f in self.TRANSLATED_FIELDS}

    def translation_status(self) -> dict[str, str]:
        return translation_status.record_status(self)

    def prepare_for_bulk(self):
        """What save() and its pre_save receivers do before writing a new row, for bulk
        inserts (which call no save() and send no signals)."""
        if self.TRANSLATED_FIELDS:
            translation_status.note_translations(self, None)
        if isinstance(self, RenderedMarkdown):
            self.render_markdown_fields()


class Stage(models.TextChoices):
    ALPHA = "alpha", _("Alpha")
    BETA = "beta", _("Beta")
    STABLE = "stable", _("Stable")
    DEPRECATED = "deprecated", _("Deprecated")
    REMOVED = "removed", _("Removed")


# What a release page and an enhancement list show, in this order.
ENTERED_STAGES = [Stage.STABLE, Stage.BETA, Stage.ALPHA, Stage.DEPRECATED]


@dataclass
class EnteredStage:
    stage: str
    entries: list = field(default_factory=list)
    sources: dict[str, int] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.entries)


# Order of a feature's life; a timeline never goes backwards along it.
STAGE_RANK = {Stage.ALPHA: 0, Stage.BETA: 1, Stage.STABLE: 2, Stage.DEPRECATED: 3, Stage.REMOVED: 4}


class ReleaseQuerySet(models.QuerySet):
    def documented(self):
        """Releases we describe in full (not just referenced from a timeline)."""
        return self.filter(documented=True)

    def current(self):
        return self.documented().order_by("-major", "-minor").first()

    def covered(self):
        """The releases whose enhancements the site lists from upstream data (1.19–1.34)."""
        return self.filter(version__in=covered_releases())

    def get_by_natural_key(self, version):
        return self.get(version=version)

    def with_note_counts(self):
        """Releases that have release notes, newest first, with how many and how many need action."""
        return (
            self.annotate(
                note_count=Count("notes"),
                action_required_count=Count("notes", filter=Q(notes__action_required=True)),
            )
            .filter(note_count__gt=0)
            .order_by("-major", "-minor")
        )

    def between(self, current: str, target: str):
        """The releases an upgrade from `current` to `target` goes through (current < r <= target)."""
        cur, tgt = parse_minor(current), parse_minor(target)
        return self.filter(
            (Q(major__gt=cur[0]) | Q(major=cur[0], minor__gt=cur[1]))
            & (Q(major__lt=tgt[0]) | Q(major=tgt[0], minor__lte=tgt[1]))
        ).order_by("major", "minor")


class Release(RenderedMarkdown, Editable):
    TRANSLATED_FIELDS = ("name", "summary", "counts_note")
    MARKDOWN_FIELDS = ("summary", "counts_note")
    version = models.CharField(_("version"), max_length=10, unique=True, help_text=_('For example "1.22".'))
    major = models.PositiveSmallIntegerField(_("major"))
    minor = models.PositiveSmallIntegerField(_("minor"))
    documented = models.BooleanField(
        _("documented"),
        default=False,
        help_text=_("Whether the site describes this release in full, or only mentions it in timelines and removals."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))
    release_date = models.DateField(_("release date"), null=True, blank=True)
    announced_stable = models.PositiveSmallIntegerField(_("announced stable"), null=True, blank=True)
    announced_beta = models.PositiveSmallIntegerField(_("announced beta"), null=True, blank=True)
    announced_alpha = models.PositiveSmallIntegerField(_("announced alpha"), null=True, blank=True)
    announced_deprecated = models.PositiveSmallIntegerField(_("announced deprecations"), null=True, blank=True)
    counts_note = models.TextField(
        _("note on counts"),
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        help_text=_("Markdown. Why the announced counts and our records differ."),
    )
    announcement_url = models.URLField(_("announcement URL"), blank=True)
    changelog_url = models.URLField(_("changelog URL"), blank=True)

    objects = ReleaseQuerySet.as_manager()

    class Meta:
        ordering = ["major", "minor"]
        verbose_name = _("release")
        verbose_name_plural = _("releases")
        constraints = [
            models.UniqueConstraint(fields=["major", "minor"], name="release_unique_major_minor"),
        ]

    def __str__(self):
        return f"Kubernetes {self.version}"

    def natural_key(self):
        return (self.version,)

    def save(self, *args, **kwargs):
        self.major, self.minor = parse_minor(self.version)
        self.version = f"{self.major}.{self.minor}"
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("releasenotes:release-detail", kwargs={"version": self.version})

    def entered_stages(self) -> list["EnteredStage"]:
        """What entered alpha, beta and stable (and was deprecated) in this release, each
        stage with its enhancements and where those facts come from. One query."""
        entries = (
            self.stages.filter(stage__in=ENTERED_STAGES)
            .select_related("enhancement")
            .order_by("enhancement__kep_number")
        )
        groups = {stage: EnteredStage(stage) for stage in ENTERED_STAGES}
        for entry in entries:
            group = groups[entry.stage]
            group.entries.append(entry)
            group.sources[entry.source] = group.sources.get(entry.source, 0) + 1
        return list(groups.values())

    @property
    def announced_total(self):
        parts = [self.announced_stable, self.announced_beta, self.announced_alpha]
        return None if None in parts else sum(parts)


class SlugManager(models.Manager):
    """Fixtures refer to these rows by slug, so loading them twice updates in place."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.NATURAL_KEY: key})


class Sig(Editable):
    TRANSLATED_FIELDS = ("description",)
    NATURAL_KEY = "slug"
    slug = models.SlugField(_("slug"), max_length=60, unique=True, help_text=_('For example "sig-node".'))
    name = models.CharField(_("name"), max_length=100, help_text=_('For example "SIG Node".'))
    description = models.TextField(_("description"), blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["slug"]
        verbose_name = _("SIG")
        verbose_name_plural = _("SIGs")

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("releasenotes:sig-detail", kwargs={"slug": self.slug})


class EnhancementQuerySet(models.QuerySet):
    """Stage questions, asked one way everywhere (views, API, search):

        Enhancement.objects.for_release("1.25").at_stage("beta")

    `for_release(R)` is what entered a stage in R (as the release team counts it), and
    remembers R, so that `at_stage`, `major_themes` and the counts describe R's own stage
    entry. Without `for_release`, they mean the site's current release.
    """

    _release: str | None = None

    def _clone(self):
        clone = super()._clone()
        clone._release = self._release
        return clone

    @property
    def release_version(self) -> str | None:
        if self._release is None:  # asked once, then remembered by this queryset and its clones
            current = Release.objects.current()
            self._release = current.version if current else None
        return self._release

    def for_release(self, version: str):
        """What entered a stage in the release, each with `release_stage` and
        `release_theme`: its entry there, joined (one per enhancement and release)."""
        queryset = self._clone()
        queryset._release = version
        # The annotations reuse the filter's join: the later filters and the rows read
        # that one entry, and the database reads the release's entries by index.
        return queryset.filter(stages__release__version=version).annotate(
            release_stage=models.F("stages__stage"), release_theme=models.F("stages__major_theme")
        )

    def _in_release(self):
        return self if "release_stage" in self.query.annotations else self.for_release(self.release_version)

    def at_stage(self, stage: str):
        return self._in_release().filter(release_stage=stage)

    def major_themes(self):
        return self._in_release().filter(release_theme=True)

    def owned_by(self, sig):
        return self.filter(owning_sig=sig)

    def _release_entries(self):
        return StageEntry.objects.filter(release__version=self.release_version, enhancement__in=self.values("pk"))

    def stage_counts(self) -> dict[str, int]:
        """How many of these enhancements entered each stage in the release."""
        rows = self._release_entries().values("stage").annotate(n=Count("id")).order_by()
        counts = {stage.value: 0 for stage in Stage}
        counts.update({row["stage"]: row["n"] for row in rows})
        return counts

    def counts_by_sig_and_stage(self) -> dict[int, dict[str, int]]:
        """{owning SIG id: {stage: n}} in the release."""
        rows = self._release_entries().values("enhancement__owning_sig", "stage").annotate(n=Count("id")).order_by()
        counts: dict[int, dict[str, int]] = {}
        for row in rows:
            counts.setdefault(row["enhancement__owning_sig"], {})[row["stage"]] = row["n"]
        return counts


class KepStatus(models.TextChoices):
    PROVISIONAL = "provisional", _("Provisional")
    IMPLEMENTABLE = "implementable", _("Implementable")
    IMPLEMENTED = "implemented", _("Implemented")
    DEFERRED = "deferred", _("Deferred")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    REPLACED = "replaced", _("Replaced")


class Enhancement(RenderedMarkdown, Editable):
    TRANSLATED_FIELDS = ("title", "summary")
    MARKDOWN_FIELDS = ("summary",)
    kep_number = models.PositiveIntegerField(_("KEP number"), unique=True)
    tracking_issue = models.PositiveIntegerField(
        _("tracking issue"),
        help_text=_("Issue number in kubernetes/enhancements; differs from the KEP number for some."),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(
        _("summary"),
        blank=True,
        max_length=MARKDOWN_MAX_LENGTH,
        help_text=_("Markdown, two to five sentences. Empty rather than invented."),
    )
    status = models.CharField(
        _("KEP status"), max_length=20, choices=KepStatus.choices, blank=True, help_text=_("As its kep.yaml says.")
    )
    owning_sig = models.ForeignKey(
        Sig, on_delete=models.PROTECT, related_name="owned_enhancements", verbose_name=_("owning SIG")
    )
    participating_sigs = models.ManyToManyField(
        Sig, blank=True, related_name="participating_enhancements", verbose_name=_("participating SIGs")
    )
    feature_gates = models.JSONField(_("feature gates"), default=list, blank=True)
    aliases = models.JSONField(
        _("aliases"), default=list, blank=True, help_text=_("Other names people search for, in any language.")
    )
    kep_url = models.URLField(_("KEP URL"))
    docs_url = models.URLField(
        _("documentation URL"),
        blank=True,
        help_text=_("The kubernetes.io page for this feature; the Korean one where it exists."),
    )

    objects = EnhancementQuerySet.as_manager()

    class Meta:
        ordering = ["kep_number"]
        verbose_name = _("enhancement")
        verbose_name_plural = _("enhancements")

    def __str__(self):
        return f"KEP-{self.kep_number}: {self.title}"

    def get_absolute_url(self):
        return reverse("releasenotes:enhancement-detail", kwargs={"kep_number": self.kep_number})

    @property
    def tracking_issue_url(self):
        return f"https://github.com/kubernetes/enhancements/issues/{self.tracking_issue}"


class StageEntry(Editable):
    enhancement = models.ForeignKey(
        Enhancement, on_delete=models.CASCADE, related_name="stages", verbose_name=_("enhancement")
    )
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="stages", verbose_name=_("release"))
    stage = models.CharField(_("stage"), max_length=12, choices=Stage.choices)
    major_theme = models.BooleanField(_("major theme"), default=False)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Where this fact comes from."))

    class Meta:
        ordering = ["release__major", "release__minor"]
        verbose_name = _("stage entry")
        verbose_name_plural = _("stage entries")
        constraints = [
            models.UniqueConstraint(fields=["enhancement", "release"], name="stage_entry_unique_per_release"),
            models.CheckConstraint(condition=Q(stage__in=[s.value for s in Stage]), name="stage_entry_stage_valid"),
        ]
        indexes = [
            # The enhancement list filters entries by (release, stage) and counts them by
            # release, stage and major theme from this index alone.
            models.Index(fields=["release", "stage", "major_theme"], name="stage_entry_release_counts"),
        ]

    def __str__(self):
        return f"{self.enhancement} — {self.get_stage_display()} {self.release.version}"


class Theme(RenderedMarkdown, Editable):
    """A major theme as the release announcement named it."""

    TRANSLATED_FIELDS = ("title", "summary")
    MARKDOWN_FIELDS = ("summary",)

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="themes", verbose_name=_("release"))
    position = models.PositiveSmallIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))
    enhancements = models.ManyToManyField(
        Enhancement, blank=True, related_name="themes", verbose_name=_("enhancements")
    )

    class Meta:
        ordering = ["release", "position"]
        verbose_name = _("major theme")
        verbose_name_plural = _("major themes")
        constraints = [
            models.UniqueConstraint(fields=["release", "slug"], name="theme_unique_slug_per_release"),
        ]

    def __str__(self):
        return self.title


class FeatureGateQuerySet(models.QuerySet):
    def with_stage_in(self, version: str):
        """Annotate `stage_in_release`: the stage the gate's KEP had reached by `version`
        (its latest entry up to that release), or None before its first one."""
        major, minor = parse_minor(version)
        up_to = Q(release__major__lt=major) | Q(release__major=major, release__minor__lte=minor)
        latest = (
            StageEntry.objects.filter(up_to, enhancement=models.OuterRef("kep"))
            .order_by("-release__major", "-release__minor")
            .values("stage")[:1]
        )
        return self.annotate(stage_in_release=models.Subquery(latest))

    def at_stage_in(self, stage: str, version: str):
        return self.with_stage_in(version).filter(stage_in_release=stage)


class FeatureGate(models.Model):
    """A feature gate and the KEP(s) that declare it. Derived from the enhancements'
    `feature_gates` by the KEP sync; its stage per release is its KEP's timeline."""

    name = models.CharField(_("name"), max_length=100, unique=True, help_text=_("Never translated."))
    kep = models.ForeignKey(
        Enhancement,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="primary_gates",
        verbose_name=_("KEP"),
        help_text=_("The KEP whose timeline is the gate's: the facts file's first, else the lowest number."),
    )
    keps = models.ManyToManyField(Enhancement, blank=True, related_name="gates", verbose_name=_("KEPs"))

    objects = FeatureGateQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("feature gate")
        verbose_name_plural = _("feature gates")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("releasenotes:feature-gate-detail", kwargs={"name": self.name})

    def timeline(self) -> list["StageEntry"]:
        """Its KEP's stage entries, oldest first (prefetch `kep__stages__release`)."""
        return list(self.kep.stages.all()) if self.kep else []

    def stage_per_release(self, versions: list[str]) -> list[tuple[str, str | None]]:
        """[(version, the stage it had in that release, or None before its first)]."""
        timeline = [(parse_minor(e.release.version), e.stage) for e in self.timeline()]
        rows, stage = [], None
        for version in versions:
            key = parse_minor(version)
            stage = next((s for v, s in reversed(timeline) if v <= key), None)
            rows.append((version, stage))
        return rows


class ApiRemovalQuerySet(models.QuerySet):
    def removed_in(self, version: str):
        return self.filter(removed_in__version=version)

    def between(self, current: str, target: str):
        """Removals an upgrade from `current` to `target` passes through (current < removed_in <= target)."""
        cur, tgt = parse_minor(current), parse_minor(target)
        after_current = Q(removed_in__major__gt=cur[0]) | Q(removed_in__major=cur[0], removed_in__minor__gt=cur[1])
        up_to_target = Q(removed_in__major__lt=tgt[0]) | Q(removed_in__major=tgt[0], removed_in__minor__lte=tgt[1])
        return self.filter(after_current & up_to_target)

    def get_by_natural_key(self, slug):
        return self.get(slug=slug)

    def with_releases(self):
        return self.select_related("removed_in", "deprecated_in", "replacement_available_since")


class ApiRemoval(RenderedMarkdown, Editable):
    """One API group/version (for some kinds) that a release stopped serving."""

    TRANSLATED_FIELDS = ("notable_changes", "note")
    MARKDOWN_FIELDS = ("notable_changes", "note")

    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    group = models.CharField(_("API group"), max_length=100, blank=True, help_text=_("Empty for the core group."))
    version = models.CharField(_("API version"), max_length=20, help_text=_('For example "v1beta1".'))
    kinds = models.JSONField(_("kinds"), default=list)
    deprecated_in = models.ForeignKey(
        Release, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("deprecated in")
    )
    removed_in = models.ForeignKey(
        Release, on_delete=models.PROTECT, related_name="api_removals", verbose_name=_("removed in")
    )
    replacement = models.CharField(
        _("replacement"),
        max_length=120,
        blank=True,
        help_text=_("API version to migrate to; empty when there is none."),
    )
    replacement_available_since = models.ForeignKey(
        Release,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replacement available since"),
    )
    notable_changes = models.TextField(
        _("notable changes"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown.")
    )
    note = models.TextField(_("note"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))
    guide_url = models.URLField(_("migration guide URL"), blank=True)

    objects = ApiRemovalQuerySet.as_manager()

    class Meta:
        ordering = ["removed_in__major", "removed_in__minor", "group", "version", "slug"]
        verbose_name = _("removed API")
        verbose_name_plural = _("removed APIs")

    def __str__(self):
        return f"{self.api_version} {', '.join(self.kinds)} (removed in {self.removed_in.version})"

    def natural_key(self):
        return (self.slug,)

    @property
    def api_version(self):
        return f"{self.group}/{self.version}" if self.group else self.version

    def get_absolute_url(self):
        return reverse("releasenotes:removed-apis", kwargs={"version": self.removed_in.version}) + f"#{self.slug}"


class FaqTopic(models.TextChoices):
    DEPRECATION_2020 = "deprecation-2020", _("Dockershim deprecation FAQ (2020)")
    REMOVAL_2022 = "removal-2022", _("Dockershim removal FAQ (2022)")


class FaqEntry(RenderedMarkdown, Editable):
    TRANSLATED_FIELDS = ("question", "answer")
    MARKDOWN_FIELDS = ("answer",)
    NATURAL_KEY = "slug"
    topic = models.CharField(_("topic"), max_length=30, choices=FaqTopic.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))
    applies_from = models.CharField(_("applies from version"), max_length=10, blank=True)
    applies_until = models.CharField(
        _("applies until version"), max_length=10, blank=True, help_text=_("Empty when it still applies.")
    )
    source_url = models.URLField(_("source URL"), blank=True)

    objects = SlugManager()

    class Meta:
        ordering = ["topic", "position"]
        verbose_name = _("FAQ entry")
        verbose_name_plural = _("FAQ entries")
        constraints = [
            models.UniqueConstraint(fields=["topic", "position"], name="faq_unique_position_per_topic"),
        ]

    def __str__(self):
        return self.question

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("releasenotes:dockershim") + f"#{self.slug}"


class GlossaryTermQuerySet(models.QuerySet):
    def in_order_for(self, language: str):
        """Alphabetical by the term in the page language: on /ko/ the Hangul terms in 가나다
        order first, then those kept in Latin letters; case never matters."""
        if language != "ko":
            return self.order_by(Lower("english"), "slug")
        latin_last = Case(When(korean__regex=r"^[가-힣]", then=Value(0)), default=Value(1))
        return self.order_by(latin_last, Lower("korean"), "slug")

    def matching(self, text: str):
        """Terms whose English or Korean name, or note in either language, contains `text`."""
        text = text.strip()
        if not text:
            return self
        names = Q(english__icontains=text) | Q(korean__icontains=text)
        return self.filter(names | Q(note_en__icontains=text) | Q(note_ko__icontains=text))


class GlossaryTerm(RenderedMarkdown, Editable):
    TRANSLATED_FIELDS = ("note",)
    MARKDOWN_FIELDS = ("note",)
    NATURAL_KEY = "slug"
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    english = models.CharField(_("English term"), max_length=200)
    korean = models.CharField(_("Korean term"), max_length=200)
    avoid = models.JSONField(
        _("renderings to avoid"),
        default=list,
        blank=True,
        help_text=_("Other Korean renderings of this term that our Korean text must not use."),
    )
    note = models.TextField(_("note"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))
    synonyms = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_(
            "Abbreviations and other renderings people type, in either language (for example PVC or SSA). "
            "Search only: they find this term's items, and are never shown."
        ),
    )

    objects = SlugManager.from_queryset(GlossaryTermQuerySet)()

    class Meta:
        ordering = ["english"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self):
        return f"{self.english} — {self.korean}"

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("releasenotes:glossary") + f"#{self.slug}"


class Snippet(RenderedMarkdown, Editable):
    """A block of page text editors keep up to date, such as the dockershim timeline."""

    TRANSLATED_FIELDS = ("title", "body")
    MARKDOWN_FIELDS = ("body",)

    NATURAL_KEY = "key"

    key = models.SlugField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True, max_length=MARKDOWN_MAX_LENGTH, help_text=_("Markdown."))

    objects = SlugManager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("page text")
        verbose_name_plural = _("page texts")

    def __str__(self):
        return self.key

    def natural_key(self):
        return (self.key,)


class SyncedField(models.Model):
    """What `sync_content` last wrote into one field of one row (a hash of the value).

    A field whose stored value no longer matches its hash was changed by someone else
    since (admin, API, shell), and the next sync keeps it. See releasenotes/sync/ledger.py.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("content type"))
    object_pk = models.CharField(_("object ID"), max_length=64)
    field = models.CharField(_("field"), max_length=100)
    value_hash = models.CharField(_("value hash"), max_length=64)
    synced_at = models.DateTimeField(_("synced at"), auto_now=True)

    class Meta:
        verbose_name = _("synced field")
        verbose_name_plural = _("synced fields")
        constraints = [
            models.UniqueConstraint(fields=["content_type", "object_pk", "field"], name="synced_field_unique"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_pk}.{self.field}"


class SyncConflictQuerySet(models.QuerySet):
    def unresolved(self):
        return self.filter(resolved=False)


class SyncConflict(models.Model):
    """A field an editor changed that upstream changed too: the editor's value was kept,
    and someone decides whether to take upstream's."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("content type"))
    object_pk = models.CharField(_("object ID"), max_length=64)
    field = models.CharField(_("field"), max_length=100)
    editor_value = models.TextField(_("editor's value"), blank=True)
    upstream_value = models.TextField(_("upstream value"), blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    created = models.DateTimeField(_("created"), auto_now_add=True)
    resolved = models.BooleanField(_("resolved"), default=False)

    objects = SyncConflictQuerySet.as_manager()

    class Meta:
        ordering = ["resolved", "-created"]
        verbose_name = _("sync conflict")
        verbose_name_plural = _("sync conflicts")
        indexes = [
            # The review queue and each sync ask for one row's unresolved conflicts.
            models.Index(fields=["content_type", "object_pk", "field", "resolved"], name="sync_conflict_lookup"),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_pk}.{self.field}"

    @property
    def target(self):
        return self.content_type.get_object_for_this_type(pk=self.object_pk)


class NoteFacet(models.TextChoices):
    KIND = "kind", _("Kind")
    SIG = "sig", _("SIG")
    AREA = "area", _("Area")


class NoteLabel(models.Model):
    """One value of a release-note facet: a kind ("deprecation"), a SIG ("sig-node") or an
    area ("kubelet"), as the release tool labels notes."""

    facet = models.CharField(_("facet"), max_length=10, choices=NoteFacet.choices)
    slug = models.CharField(_("slug"), max_length=80)

    class Meta:
        ordering = ["facet", "slug"]
        verbose_name = _("release-note label")
        verbose_name_plural = _("release-note labels")
        constraints = [
            models.UniqueConstraint(fields=["facet", "slug"], name="note_label_unique_per_facet"),
        ]

    def __str__(self):
        return f"{self.facet}/{self.slug}"


class ReleaseNoteQuerySet(models.QuerySet):
    def in_release(self, release):
        return self.filter(release=release)

    def action_required(self):
        return self.filter(action_required=True)

    def deprecations(self):
        return self.filter(labels__facet=NoteFacet.KIND, labels__slug="deprecation")

    def to_read_before_upgrading(self):
        """Action-required notes and deprecation notes: what an upgrade path lists."""
        deprecation = NoteLabel.objects.filter(facet=NoteFacet.KIND, slug="deprecation")
        return self.filter(Q(action_required=True) | Q(labels__in=deprecation)).distinct()

    def for_display(self):
        """With the release read in the same query; `ReleaseNote.attach_labels` adds the labels."""
        return self.select_related("release")

    def naming(self, enhancement, limit: int = 50) -> list["ReleaseNote"]:
        """The notes that name one of the enhancement's feature gates or its KEP, newest
        first. The text narrows them down in SQL (JSON containment is not portable to
        SQLite); the lists the import found in each note decide."""
        gates, kep = set(enhancement.feature_gates or []), enhancement.kep_number
        mentions = Q(text_en__contains=str(kep)) | Q(documentation__icontains=str(kep))
        for gate in gates:
            mentions |= Q(text_en__contains=gate)
        candidates = self.filter(mentions).for_display().order_by("-release__major", "-release__minor", "-pr_number")
        found = [n for n in candidates if gates & set(n.feature_gates or []) or kep in (n.kep_numbers or [])]
        return ReleaseNote.attach_labels(found[:limit])


class ReleaseNote(Editable):
    """One note of a release's published release notes (kubernetes-sigs/release-notes)."""

    TRANSLATED_FIELDS = ("text",)
    # What a list of notes shows (stored HTML, not Markdown): the only columns it reads.
    # (Named per language: modeltranslation reads "html" as the page language's.)
    LISTED = (
        "release",
        "pr_number",
        "html_en",
        "html_ko",
        "action_required",
        "author",
        "documentation",
        "feature_gates",
    )
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="notes", verbose_name=_("release"))
    pr_number = models.PositiveIntegerField(_("PR number"))
    text = models.TextField(_("text"), help_text=_("Markdown. The English is the upstream note as published."))
    html = models.TextField(_("HTML"), blank=True, editable=False, help_text=_("Rendered from the text on save."))
    action_required = models.BooleanField(_("action required"), default=False)
    labels = models.ManyToManyField(NoteLabel, blank=True, related_name="notes", verbose_name=_("kinds, SIGs, areas"))
    author = models.CharField(_("author"), max_length=100, blank=True)
    documentation = models.JSONField(
        _("documentation"), default=list, blank=True, help_text=_("Links: [{description, url, type}].")
    )
    feature_gates = models.JSONField(_("feature gates"), default=list, blank=True)
    kep_numbers = models.JSONField(_("KEP numbers"), default=list, blank=True)
    # Derived from `labels`, never edited: their ids in label order (facet, then slug),
    # comma-separated. The notes browser reads them with the release's other listing
    # columns, in one scan of release_note_listing, instead of joining every label link of
    # the release. Kept by refresh_label_ids: on every change of a note's labels, a label's
    # renaming or deletion, every save of the note, and at the end of each import (which
    # adds links in bulk, past the signals).
    label_ids = models.TextField(_("label ids"), blank=True, default="", editable=False)

    objects = ReleaseNoteQuerySet.as_manager()

    class Meta:
        ordering = ["release__major", "release__minor", "-action_required", "pr_number"]
        verbose_name = _("release note")
        verbose_name_plural = _("release notes")
        constraints = [
            models.UniqueConstraint(fields=["release", "pr_number"], name="release_note_unique_pr_per_release"),
        ]
        indexes = [
            # The notes browser lists one release's notes, action required first: read in
            # index order, so a page reads its own rows only, not the release's to sort them.
            # Its label ids too, so that the notes browser's index of a release is read
            # from the index alone.
            models.Index(fields=["release", "-action_required", "pr_number", "label_ids"], name="release_note_listing"),
        ]

    def __str__(self):
        return f"{self.release.version} #{self.pr_number}"

    def get_absolute_url(self):
        url = reverse("releasenotes:release-notes", kwargs={"version": self.release.version})
        return f"{url}?pr={self.pr_number}#pr-{self.pr_number}"

    @property
    def pr_url(self):
        return f"https://github.com/kubernetes/kubernetes/pull/{self.pr_number}"

    @property
    def author_url(self):
        return f"https://github.com/{self.author}" if self.author else ""

    @staticmethod
    def attach_labels(notes) -> list["ReleaseNote"]:
        """The notes, each with `label_list`: its labels in label order, read in one query
        of plain rows, each label built once however many notes carry it (a prefetch
        builds one per note and label, most of a long list's cost)."""
        notes = list(notes)
        links = (
            ReleaseNote.labels.through.objects.filter(releasenote__in=[note.pk for note in notes])
            .order_by("notelabel__facet", "notelabel__slug")
            .values_list("releasenote_id", "notelabel_id", "notelabel__facet", "notelabel__slug")
        )
        labels: dict[int, NoteLabel] = {}
        carried: dict[int, list[NoteLabel]] = {}
        for note_id, label_id, facet, slug in links if notes else ():
            if label_id not in labels:
                labels[label_id] = NoteLabel(pk=label_id, facet=facet, slug=slug)
            carried.setdefault(note_id, []).append(labels[label_id])
        for note in notes:
            note.label_list = carried.get(note.pk, [])
        return notes

    @classmethod
    def refresh_label_ids(cls, note_ids=None) -> int:
        """Write `label_ids` wherever it differs from the labels the notes carry: of the
        notes `note_ids`, or of every note. Returns how many notes it wrote."""
        links = cls.labels.through.objects.order_by("releasenote_id", "notelabel__facet", "notelabel__slug")
        notes = cls.objects.all()
        if note_ids is not None:
            note_ids = list(note_ids)
            links, notes = links.filter(releasenote_id__in=note_ids), notes.filter(pk__in=note_ids)
        carried: dict[int, list[str]] = {}
        for note_id, label_id in links.values_list("releasenote_id", "notelabel_id"):
            carried.setdefault(note_id, []).append(str(label_id))
        stale = []
        for pk, stored in notes.values_list("pk", "label_ids"):
            ids = ",".join(carried.get(pk, ()))
            if stored != ids:
                stale.append(cls(pk=pk, label_ids=ids))
        cls.objects.bulk_update(stale, ["label_ids"], batch_size=500)
        return len(stale)

    def labels_of(self, facet: str) -> list[str]:
        return sorted(label.slug for label in self.labels.all() if label.facet == facet)

    def render(self):
        """Store the sanitised HTML of each language's text (see markup.py)."""
        from .markup import render_markdown

        self.html_en = render_markdown(self.text_en)
        self.html_ko = render_markdown(self.text_ko) if (self.text_ko or "").strip() else ""

    def prepare_for_bulk(self):
        """What save() would do, for rows written with bulk_create."""
        self.render()
        translation_status.note_translations(self, None)

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)
        # The row was written whole, `label_ids` as this copy held it: the labels decide.
        self._follow_labels()

    def _follow_labels(self):
        ReleaseNote.refresh_label_ids([self.pk])
        self.label_ids = ReleaseNote.objects.filter(pk=self.pk).values_list("label_ids", flat=True).first() or ""


@receiver(m2m_changed, sender=ReleaseNote.labels.through)
def _note_labels_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """Keep `label_ids` with the labels however they change: from a note (`note.labels`,
    as the admin and the sync set them) or from a label (`label.notes`)."""
    if not reverse:  # the note itself
        if action in ("post_add", "post_remove", "post_clear"):
            instance._follow_labels()
    elif action == "pre_clear":  # a label losing all its notes: which, asked before they go
        instance._notes_cleared = list(instance.notes.values_list("pk", flat=True))
    elif action == "post_clear":
        ReleaseNote.refresh_label_ids(getattr(instance, "_notes_cleared", []))
    elif action in ("post_add", "post_remove"):
        ReleaseNote.refresh_label_ids(pk_set)


@receiver(post_save, sender=NoteLabel)
def _note_label_saved(sender, instance, created, **kwargs):
    # A renamed label may sort elsewhere among its notes' labels.
    if not created:
        ReleaseNote.refresh_label_ids(instance.notes.values_list("pk", flat=True))


@receiver(pre_delete, sender=NoteLabel)
def _note_label_deleting(sender, instance, **kwargs):
    instance._carried_by = list(instance.notes.values_list("pk", flat=True))


@receiver(post_delete, sender=NoteLabel)
def _note_label_deleted(sender, instance, **kwargs):
    # Its links went with it, past m2m_changed.
    ReleaseNote.refresh_label_ids(getattr(instance, "_carried_by", []))
