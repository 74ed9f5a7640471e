"""The resident's language for letters and reports; the reason a plan version was kept becomes a
code (shown in the reader's language). Existing reasons were stored as text in the language of
whoever made the change: known texts (English, Dutch, the synthetic demo's) become their code,
anything else "other" with the text kept in `reason_note`."""

from django.db import migrations, models

# code -> the texts it was stored as (English msgid, Dutch translation, demo data)
KNOWN_TEXTS = {
    "details_changed": ["Plan details changed", "Gegevens van het plan gewijzigd"],
    "goal_added": ["Goal added", "Doel toegevoegd"],
    "goal_changed": ["Goal changed", "Doel gewijzigd"],
    "goal_removed": ["Goal removed", "Doel verwijderd"],
    "action_added": ["Action added", "Actie toegevoegd"],
    "action_changed": ["Action changed", "Actie gewijzigd", "Actie afgerond"],
    "action_removed": ["Action removed", "Actie verwijderd"],
    "participant_invited": ["Professional brought in", "Professional erbij gehaald"],
    "participant_answered": ["Invitation answered", "Uitnodiging beantwoord"],
    "activated": ["Plan activated", "Plan actief gemaakt", "Plan vastgesteld"],
    "closed": ["Plan closed", "Plan afgesloten"],
}
ENGLISH = {code: texts[0] for code, texts in KNOWN_TEXTS.items()}


def _key(text: str) -> str:
    return " ".join(text.split()).casefold().rstrip(".")


CODE_BY_TEXT = {_key(text): code for code, texts in KNOWN_TEXTS.items() for text in texts}


def reasons_to_codes(apps, schema_editor):
    SupportPlanVersion = apps.get_model("cases", "SupportPlanVersion")
    texts = SupportPlanVersion.objects.values_list("reason", flat=True).distinct()
    for text in list(texts):
        code = CODE_BY_TEXT.get(_key(text))
        rows = SupportPlanVersion.objects.filter(reason=text)
        if code is not None:
            rows.update(reason=code, reason_note="")
        else:  # unknown (or empty): another change, in its own words
            rows.update(reason="other", reason_note=text[:200])


def codes_to_reasons(apps, schema_editor):
    SupportPlanVersion = apps.get_model("cases", "SupportPlanVersion")
    for code, text in ENGLISH.items():
        SupportPlanVersion.objects.filter(reason=code).update(reason=text)
    for version in SupportPlanVersion.objects.filter(reason="other"):
        version.reason = version.reason_note
        version.save(update_fields=["reason"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0026_basic_need_answers"),
    ]

    operations = [
        migrations.AddField(
            model_name="resident",
            name="preferred_language",
            field=models.CharField(
                choices=[("nl", "Dutch"), ("en", "English")],
                default="nl",
                help_text=(
                    "Letters and reports for the resident are written in this language, "
                    "whatever the language of the screen."
                ),
                max_length=10,
                verbose_name="language for letters and reports",
            ),
        ),
        migrations.AddField(
            model_name="supportplanversion",
            name="reason_note",
            field=models.CharField(
                blank=True,
                help_text="For another change: what changed, as it was written.",
                max_length=200,
                verbose_name="change in words",
            ),
        ),
        migrations.RunPython(reasons_to_codes, codes_to_reasons, elidable=False),
        migrations.AlterField(
            model_name="supportplanversion",
            name="reason",
            field=models.CharField(
                choices=[
                    ("details_changed", "Plan details changed"),
                    ("goal_added", "Goal added"),
                    ("goal_changed", "Goal changed"),
                    ("goal_removed", "Goal removed"),
                    ("action_added", "Action added"),
                    ("action_changed", "Action changed"),
                    ("action_removed", "Action removed"),
                    ("participant_invited", "Professional brought in"),
                    ("participant_answered", "Invitation answered"),
                    ("activated", "Plan activated"),
                    ("closed", "Plan closed"),
                    ("other", "Other change"),
                ],
                default="other",
                max_length=30,
                verbose_name="change",
            ),
        ),
    ]
