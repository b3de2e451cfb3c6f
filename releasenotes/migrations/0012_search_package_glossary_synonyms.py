# SearchEntry now belongs to the `search` app (releasenotes/search/); its table stays.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("releasenotes", "0011_glossary_notes_rendered_on_save"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchEntry")],
            database_operations=[],
        ),
        migrations.AddField(
            model_name="glossaryterm",
            name="synonyms",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Abbreviations and other renderings people type, in either language (for example PVC or SSA). Search only: they find this term's items, and are never shown.",
                verbose_name="other names",
            ),
        ),
        migrations.AddField(
            model_name="historicalglossaryterm",
            name="synonyms",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Abbreviations and other renderings people type, in either language (for example PVC or SSA). Search only: they find this term's items, and are never shown.",
                verbose_name="other names",
            ),
        ),
    ]
