# SearchEntry moves here from `releasenotes` (its 0003 created the table, the FTS5 tables,
# triggers and trigram indexes). Only Django's picture of the models changes: the table and
# everything on it stay as they are (releasenotes 0004 removes the model from there).

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("releasenotes", "0003_search_entry"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchEntry",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("kind", models.CharField(choices=[("enhancement", "Enhancement"), ("removed_api", "Removed API"), ("faq", "FAQ"), ("glossary", "Glossary")], max_length=20, verbose_name="type")),
                        ("object_id", models.PositiveBigIntegerField(verbose_name="object ID")),
                        ("kep_number", models.PositiveIntegerField(blank=True, null=True, verbose_name="KEP number")),
                        ("tracking_issue", models.PositiveIntegerField(blank=True, null=True, verbose_name="tracking issue")),
                        ("names", models.TextField(help_text="Titles and other names, folded (see query.py), each between spaces.", verbose_name="folded names")),
                        ("title_en", models.TextField(verbose_name="title (English)")),
                        ("title_ko", models.TextField(blank=True, verbose_name="title (Korean)")),
                        ("url_name", models.CharField(max_length=60, verbose_name="URL name")),
                        ("url_kwargs", models.JSONField(blank=True, default=dict, verbose_name="URL arguments")),
                        ("anchor", models.CharField(blank=True, max_length=120, verbose_name="URL fragment")),
                        ("keywords", models.TextField(blank=True, help_text="Aliases and feature gates, one a line.", verbose_name="other names")),
                        ("body_en", models.TextField(blank=True, verbose_name="text (English)")),
                        ("body_ko", models.TextField(blank=True, verbose_name="text (Korean)")),
                        ("text", models.TextField(help_text="Names and text in both languages, folded.", verbose_name="folded text")),
                        ("words", models.TextField(help_text="Every word in both languages, each between spaces.", verbose_name="folded words")),
                    ],
                    options={
                        "verbose_name": "search entry",
                        "verbose_name_plural": "search entries",
                        "db_table": "releasenotes_searchentry",
                        "indexes": [models.Index(fields=["kep_number"], name="search_entry_kep_number"), models.Index(fields=["tracking_issue"], name="search_entry_tracking_issue")],
                        "constraints": [models.UniqueConstraint(fields=("kind", "object_id"), name="search_entry_unique_object")],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
