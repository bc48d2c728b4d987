"""Forms: parse and validate what the pages send. Invalid input becomes a 400 with a message."""

from django import forms
from django.core.validators import RegexValidator

from claims.models import UNDECIDED, Claim, Reliability, SourceKind, Status
from claims.models.corroboration import ContradictionState
from claims.selectors import QueueFilters
from claims.services import NOTE_MAX_CHARS, source_find

MAX_PAGE = 1_000_000_000
MAX_ID = 2**63 - 1  # a database bigint: larger ids would crash the query, not just find nothing
MAX_BULK = 500


def form_errors_text(form: forms.Form) -> str:
    """All of a form's errors as one line, for a 400 body or an alert."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        for error in errors:
            parts.append(f"{label}: {error}" if label and name != "__all__" else str(error))
    return " ".join(parts)


class QueueFilterForm(forms.Form):
    """The queue's URL query parameters."""

    status = forms.ChoiceField(
        required=False, choices=[("", "All"), (UNDECIDED, "Undecided"), *Status.choices], label="Status"
    )
    source = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, label="Source")
    article = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, label="Article")
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    assignee = forms.ChoiceField(required=False, choices=[("", "Anyone"), ("me", "Me")], label="Assignee")
    hedged = forms.ChoiceField(
        required=False, choices=[("", "Any wording"), ("1", "Hedged"), ("0", "Not hedged")], label="Hedged"
    )
    language = forms.CharField(
        required=False,
        max_length=16,
        validators=[RegexValidator(r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})?$", "Use a language code such as en.")],
        label="Language",
    )
    sort = forms.ChoiceField(
        required=False,
        choices=[("newest", "Newest first"), ("oldest", "Oldest first"), ("article", "Article order")],
        label="Sort",
    )
    # A source or publisher by any of its names (the autocomplete offers names and aliases); the
    # view puts the resolved id in the URL as `source` / `publisher`.
    source_name = forms.CharField(required=False, max_length=300, strip=True, label="Source")
    publisher = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID, label="Publisher")
    publisher_name = forms.CharField(required=False, max_length=300, strip=True, label="Publisher")
    hint = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), ("1", "Source gives a status"), ("0", "No status from the source")],
        label="Status hint",
    )
    credibility = forms.ChoiceField(
        required=False,
        choices=[("", "Any credibility"), *((str(n), str(n)) for n in range(1, 7)), ("none", "Not assessed")],
        label="Credibility",
    )
    collapse = forms.ChoiceField(required=False, choices=[("", "Every claim"), ("1", "One row per cluster")])
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, label="Page")
    after = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, label="Cursor")

    def _resolve(self, data: dict, name_field: str, id_field: str) -> None:
        name = data.get(name_field) or ""
        if "\x00" in name:
            self.add_error(name_field, "The name is not text.")
            return
        if name:
            found = source_find(name=name)
            if found is None:
                self.add_error(name_field, f"No source has the name or alias “{name}”.")
            else:
                data[id_field] = found.pk

    def clean(self):
        data = super().clean()
        self._resolve(data, "source_name", "source")
        self._resolve(data, "publisher_name", "publisher")
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", "The end date is before the start date.")
        return data

    def to_filters(self, user) -> QueueFilters:
        data = self.cleaned_data
        hedged = {"1": True, "0": False}.get(data.get("hedged") or "")
        return QueueFilters(
            status=data.get("status") or "",
            source=data.get("source"),
            article=data.get("article"),
            q=data.get("q") or "",
            assignee=user.pk if data.get("assignee") == "me" else None,
            hedged=hedged,
            language=(data.get("language") or "").lower(),
            sort=data.get("sort") or "newest",
            publisher=data.get("publisher"),
            published_from=data.get("from"),
            published_to=data.get("to"),
            hinted={"1": True, "0": False}.get(data.get("hint") or ""),
            credibility=data.get("credibility") or "",
            collapse=data.get("collapse") == "1",
        )


# `from` and `to` are Python keywords: declared here, named as the URL has them.
QueueFilterForm.base_fields["from"] = forms.DateField(required=False, label="Published from")
QueueFilterForm.base_fields["to"] = forms.DateField(required=False, label="Published to")


class DecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, label="Status")
    note = forms.CharField(required=False, max_length=NOTE_MAX_CHARS, strip=True, label="Note")
    evidence_url = forms.URLField(required=False, max_length=2000, assume_scheme="https", label="Evidence URL")
    version = forms.IntegerField(required=False, min_value=0, max_value=MAX_ID, label="Version")
    # The page's per-form token ({% decision_key %}): submitting the same form twice records once.
    idempotency_key = forms.CharField(required=False, max_length=64, strip=True, label="Form token")


class BulkDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices, label="Status")
    note = forms.CharField(required=False, max_length=NOTE_MAX_CHARS, strip=True, label="Note")
    ids = forms.TypedMultipleChoiceField(coerce=int, label="Claims")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any positive integers; which of them exist is checked against the database in the view.
        self.fields["ids"].valid_value = lambda value: str(value).isdigit() and 0 < int(value) <= MAX_ID

    def clean_ids(self):
        ids = list(dict.fromkeys(self.cleaned_data["ids"]))
        if len(ids) > MAX_BULK:
            raise forms.ValidationError(f"Decide at most {MAX_BULK} claims at once.")
        return ids


class AssignForm(forms.Form):
    action = forms.ChoiceField(choices=[("assign", "Assign to me"), ("unassign", "Unassign")])


class SpanForm(forms.Form):
    start = forms.IntegerField(min_value=0, max_value=MAX_ID, label="Start")
    end = forms.IntegerField(min_value=1, max_value=MAX_ID, label="End")

    def clean(self):
        data = super().clean()
        if data.get("start") is not None and data.get("end") is not None and data["end"] <= data["start"]:
            raise forms.ValidationError("The end must come after the start.")
        return data


class SourceChoiceForm(forms.Form):
    """Pick a source by name or alias, or create one under that name."""

    source_name = forms.CharField(max_length=300, strip=True, label="Source")
    create = forms.BooleanField(required=False, label="Create a new source if no source has this name")
    kind = forms.ChoiceField(
        required=False, choices=SourceKind.choices, initial=SourceKind.ORGANIZATION, label="Kind (new source)"
    )

    def clean_kind(self):
        return self.cleaned_data.get("kind") or SourceKind.ORGANIZATION


class ClaimAddForm(SourceChoiceForm):
    start = forms.IntegerField(min_value=0, max_value=MAX_ID, label="Start")
    end = forms.IntegerField(min_value=1, max_value=MAX_ID, label="End")
    text = forms.CharField(required=False, strip=False, label="Selected text")
    hedged = forms.BooleanField(required=False, label="Hedged")
    via = forms.CharField(required=False, max_length=300, label="Via")


class SourceEditForm(forms.Form):
    kind = forms.ChoiceField(choices=SourceKind.choices, label="Kind")
    reliability = forms.ChoiceField(choices=Reliability.choices, label="Reliability")
    affiliation = forms.CharField(required=False, max_length=300, strip=True, label="Affiliation")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Notes")


class SourceMergeForm(forms.Form):
    other = forms.CharField(max_length=300, strip=True, label="Source to merge into this one")
    # Set by the confirmation page: the exact source previewed, and the analyst's "yes".
    other_id = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    confirm = forms.BooleanField(required=False)


class ListForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, strip=True, label="Search")
    page = forms.IntegerField(required=False, min_value=1, max_value=MAX_PAGE, label="Page")


# --- corroboration actions on the claim page (views/corroboration.py) ---------------------------


class ClusterActionForm(forms.Form):
    action = forms.ChoiceField(
        choices=[("confirm", "Confirm"), ("confirm_one", "Confirm this link"), ("split", "Split")]
    )


class ClusterMergeForm(forms.Form):
    other = forms.IntegerField(min_value=1, max_value=MAX_ID, label="Claim number")

    def clean_other(self):
        """The claim to merge with, found by its number."""
        number = self.cleaned_data["other"]
        other = Claim.objects.only("id").filter(pk=number).first()
        if other is None:
            raise forms.ValidationError(f"there is no claim {number}.")
        return other


class ContradictionForm(forms.Form):
    state = forms.ChoiceField(
        choices=[(ContradictionState.CONFIRMED, "Confirm"), (ContradictionState.DISMISSED, "Dismiss")]
    )


class CredibilityForm(forms.Form):
    value = forms.TypedChoiceField(
        choices=[("", "Use the suggestion"), *((str(n), str(n)) for n in range(1, 7))],
        coerce=int,
        empty_value=None,
        required=False,
    )
    note = forms.CharField(required=False, max_length=2000, strip=True)


class ClusterDecisionForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    note = forms.CharField(required=False, max_length=NOTE_MAX_CHARS, strip=True)
