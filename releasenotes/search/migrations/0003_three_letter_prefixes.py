# SQLite: the word-token index keeps prefixes of three characters too (it had one and two).
# A run over several words ends in the start of a word ("r bac"* for "rbac"); without a
# prefix index for it, FTS5 merged the entries of every word starting "bac" on each search,
# which took milliseconds once the index held many words. Only the FTS5 table is made
# again and refilled from the entries; the triggers keep writing to it by name.
#
# PostgreSQL: nothing to do (its trigram indexes answer prefixes).

from django.db import migrations


def _words_index(prefixes):
    statements = [
        "DROP TABLE IF EXISTS releasenotes_searchentry_words",
        f"""CREATE VIRTUAL TABLE releasenotes_searchentry_words USING fts5(
            text, content='releasenotes_searchentry', content_rowid='id',
            tokenize="unicode61 remove_diacritics 0 tokenchars './'", prefix='{prefixes}')""",
        "INSERT INTO releasenotes_searchentry_words(releasenotes_searchentry_words) VALUES ('rebuild')",
    ]

    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0002_words_and_releases"),
    ]

    operations = [
        migrations.RunPython(_words_index("1 2 3"), _words_index("1 2")),
    ]
