from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from vetbridge.people.ownership import PersonRows, Policy


class PeopleConfig(AppConfig):
    name = "vetbridge.people"
    label = "people"
    verbose_name = _("Registry of people")

    # The web import of people runs as this task (people.import_jobs finds every app's
    # import task here, the registry's own as the memorial's).
    import_tasks = {"people": "vetbridge.people.tasks.people_import_task"}

    # Rows with a foreign key to Person, and whether they follow a merge (people.ownership).
    person_rows = (
        PersonRows(
            "people.PersonName",
            "person",
            Policy.MERGE,
            "spellings move unless the survivor has the same one",
        ),
        PersonRows("people.PersonStatus", "person", Policy.MOVE),
        PersonRows(
            "people.FamilyLink",
            "person",
            Policy.MERGE,
            "links move unless the survivor already has that relative",
        ),
        PersonRows(
            "people.FamilyLink",
            "relative",
            Policy.MERGE,
            "links move unless the survivor already has that relative",
        ),
        PersonRows("people.Person", "merged_into", Policy.KEEP, "marks the absorbed record"),
        PersonRows(
            "people.NameToken",
            "person",
            Policy.KEEP,
            "the name index, rebuilt for both records by the merge",
        ),
        PersonRows("people.DuplicateSuspect", "person_a", Policy.KEEP, "the reviewed pair"),
        PersonRows("people.DuplicateSuspect", "person_b", Policy.KEEP, "the reviewed pair"),
        PersonRows("people.PersonMerge", "survivor", Policy.KEEP, "the merge itself"),
        PersonRows("people.PersonMerge", "absorbed", Policy.KEEP, "the merge itself"),
    )
