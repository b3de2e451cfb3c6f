from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import translation_status
from .versions import parse_minor


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


class Stage(models.TextChoices):
    ALPHA = "alpha", _("Alpha")
    BETA = "beta", _("Beta")
    STABLE = "stable", _("Stable")
    DEPRECATED = "deprecated", _("Deprecated")
    REMOVED = "removed", _("Removed")


# Order of a feature's life; a timeline never goes backwards along it.
STAGE_RANK = {Stage.ALPHA: 0, Stage.BETA: 1, Stage.STABLE: 2, Stage.DEPRECATED: 3, Stage.REMOVED: 4}


class ReleaseQuerySet(models.QuerySet):
    def documented(self):
        """Releases we describe in full (not just referenced from a timeline)."""
        return self.filter(documented=True)

    def current(self):
        return self.documented().order_by("-major", "-minor").first()

    def get_by_version(self, version: str):
        major, minor = parse_minor(version)
        return self.get(major=major, minor=minor)

    def get_by_natural_key(self, version):
        return self.get(version=version)


class Release(Editable):
    TRANSLATED_FIELDS = ("name", "summary", "counts_note")
    version = models.CharField(_("version"), max_length=10, unique=True, help_text=_('For example "1.22".'))
    major = models.PositiveSmallIntegerField(_("major"))
    minor = models.PositiveSmallIntegerField(_("minor"))
    documented = models.BooleanField(
        _("documented"),
        default=False,
        help_text=_("Whether the site describes this release in full, or only mentions it in timelines and removals."),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
    release_date = models.DateField(_("release date"), null=True, blank=True)
    announced_stable = models.PositiveSmallIntegerField(_("announced stable"), null=True, blank=True)
    announced_beta = models.PositiveSmallIntegerField(_("announced beta"), null=True, blank=True)
    announced_alpha = models.PositiveSmallIntegerField(_("announced alpha"), null=True, blank=True)
    announced_deprecated = models.PositiveSmallIntegerField(_("announced deprecations"), null=True, blank=True)
    counts_note = models.TextField(
        _("note on counts"), blank=True, help_text=_("Markdown. Why the announced counts and our records differ.")
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
    def in_release(self, version: str):
        return self.filter(stages__release__version=version)

    def at_stage(self, stage: str, version: str):
        return self.filter(stages__release__version=version, stages__stage=stage)

    def graduated(self, version: str):
        return self.at_stage(Stage.STABLE, version)

    def deprecated_in(self, version: str):
        return self.at_stage(Stage.DEPRECATED, version)

    def for_cards(self):
        return self.select_related("owning_sig")


class Enhancement(Editable):
    TRANSLATED_FIELDS = ("title", "summary")
    kep_number = models.PositiveIntegerField(_("KEP number"), unique=True)
    tracking_issue = models.PositiveIntegerField(
        _("tracking issue"),
        help_text=_("Issue number in kubernetes/enhancements; differs from the KEP number for some."),
    )
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), help_text=_("Markdown, two to five sentences."))
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
            # The enhancement list filters entries by (release, stage).
            models.Index(fields=["release", "stage"], name="stage_entry_release_stage"),
        ]

    def __str__(self):
        return f"{self.enhancement} — {self.get_stage_display()} {self.release.version}"


class Theme(Editable):
    TRANSLATED_FIELDS = ("title", "summary")
    """A major theme as the release announcement named it."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="themes", verbose_name=_("release"))
    position = models.PositiveSmallIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=100)
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True, help_text=_("Markdown."))
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


def stage_counts(version: str) -> dict[str, int]:
    """How many enhancements the records put at each stage in one release."""
    rows = StageEntry.objects.filter(release__version=version).values("stage").annotate(n=Count("id")).order_by()
    counts = {stage.value: 0 for stage in Stage}
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


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


class ApiRemoval(Editable):
    TRANSLATED_FIELDS = ("notable_changes", "note")
    """One API group/version (for some kinds) that a release stopped serving."""

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
    notable_changes = models.TextField(_("notable changes"), blank=True, help_text=_("Markdown."))
    note = models.TextField(_("note"), blank=True, help_text=_("Markdown."))
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


class FaqEntry(Editable):
    TRANSLATED_FIELDS = ("question", "answer")
    NATURAL_KEY = "slug"
    topic = models.CharField(_("topic"), max_length=30, choices=FaqTopic.choices)
    position = models.PositiveSmallIntegerField(_("position"))
    slug = models.SlugField(_("slug"), max_length=120, unique=True)
    question = models.CharField(_("question"), max_length=300)
    answer = models.TextField(_("answer"), help_text=_("Markdown."))
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


class GlossaryTerm(Editable):
    TRANSLATED_FIELDS = ("note",)
    NATURAL_KEY = "slug"
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    english = models.CharField(_("English term"), max_length=200)
    korean = models.CharField(_("Korean term"), max_length=200)
    note = models.TextField(_("note"), blank=True)
    synonyms = models.JSONField(
        _("other names"),
        default=list,
        blank=True,
        help_text=_(
            "Abbreviations and renderings people type, in either language (PVC, 포드, 지원 중단). "
            "Search only: they find this term's items, and are never shown."
        ),
    )

    objects = SlugManager()

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


class Snippet(Editable):
    TRANSLATED_FIELDS = ("title", "body")
    """A block of page text editors keep up to date, such as the dockershim timeline."""

    NATURAL_KEY = "key"

    key = models.SlugField(_("key"), max_length=60, unique=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True, help_text=_("Markdown."))

    objects = SlugManager()

    class Meta:
        ordering = ["key"]
        verbose_name = _("page text")
        verbose_name_plural = _("page texts")

    def __str__(self):
        return self.key

    def natural_key(self):
        return (self.key,)
