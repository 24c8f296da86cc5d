"""The quick form renderer writes, character for character, what Django's templates write."""

from __future__ import annotations

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe
from django.utils.translation import override

from vetbridge.core.form_renderer import QuickRenderer
from vetbridge.people.forms import FamilyLinkForm, NameForm, PersonFilterForm, StatusForm


class Every(forms.Form):
    text = forms.CharField(label="A", help_text="h", max_length=5, initial='x"<y')
    safe = forms.CharField(initial=mark_safe("<b>"), widget=forms.TextInput(attrs={"x": "<i>"}))
    choice = forms.ChoiceField(
        choices=[("", "All"), ("x", "X & <y>"), ("G", [("g1", "G1"), ("g2", mark_safe("<G2>"))])],
        required=False,
    )
    number = forms.IntegerField(min_value=0)
    tick = forms.BooleanField(required=False, initial=True)
    area = forms.CharField(widget=forms.Textarea, initial="l1\n<l2>")
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    hidden = forms.CharField(widget=forms.HiddenInput, initial=3)
    many = forms.MultipleChoiceField(choices=[("1", "one"), ("2", "two")], initial=["2"])
    mail = forms.EmailField(disabled=True, initial="a@b.c")
    radio = forms.ChoiceField(choices=[(1, "a")], widget=forms.RadioSelect)  # not quick
    upload = forms.FileField(required=False)  # not quick


def _widgets(form: forms.Form, renderer: object) -> list[str]:
    out = []
    for bound in form:
        attrs = bound.build_widget_attrs({"id": bound.auto_id})
        out.append(
            bound.field.widget.render(bound.html_name, bound.value(), attrs, renderer=renderer)
        )
    return out


@pytest.mark.django_db
@pytest.mark.parametrize(
    "make",
    [
        Every,
        lambda: Every({"text": "zz", "choice": "g2", "number": "-1", "many": ["1", "2"]}),
        lambda: PersonFilterForm({"q": "Шевченко", "born": "1980"}),
        lambda: NameForm(prefix="name"),
        lambda: StatusForm(prefix="status"),
        lambda: FamilyLinkForm(prefix="link"),
    ],
)
def test_quick_renderer_writes_what_django_writes(make, regions):
    with override("uk"):
        form = make()
        assert _widgets(form, QuickRenderer()) == _widgets(form, DjangoTemplates())


def test_the_project_uses_the_quick_renderer():
    assert settings.FORM_RENDERER == "vetbridge.core.form_renderer.QuickRenderer"
