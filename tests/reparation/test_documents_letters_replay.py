"""Documents (checked by content, private), PDF letters in two languages, exact replay."""

from __future__ import annotations

import io
import re

import pytest
from django.test import Client

from tests.reparation.conftest import PDF
from vetbridge.core.exceptions import ApplicationError
from vetbridge.reparation import services
from vetbridge.reparation.letters import decision_letter_pdf, letter_languages

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64  # the signature only: not an image


def _image(fmt: str) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buf, fmt)
    return buf.getvalue()


def _as(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("name", "content", "ok"),
    [
        ("scan.pdf", PDF, True),
        ("photo.PNG", _image("PNG"), True),
        ("x.jpeg", _image("JPEG"), True),
        # Checked by decoding: a signature followed by garbage is refused.
        ("photo.png", PNG, False),
        ("x.jpeg", b"\xff\xd8\xff\xe0" + b"0" * 9, False),
        ("cut.pdf", b"%PDF-1.4 test", False),
        (
            "script.pdf",
            PDF.replace(b"/Type/Catalog", b"/Type/Catalog/OpenAction<</S/JavaScript/JS(x)>>"),
            False,
        ),
        ("virus.exe", b"MZ\x90\x00", False),
        ("fake.pdf", b"<html>not a pdf</html>", False),
        ("png-as.pdf", PNG, False),
        ("empty.pdf", b"", False),
    ],
)
def test_upload_checks_content_and_extension(flow, world, name, content, ok):
    claim = flow.file()
    actor = world["users"]["veteran"]
    if ok:
        doc = services.document_add(actor=actor, claim_id=claim.pk, name=name, content=content)
        # Stored under the claim, named by content digest: never by the name the user chose.
        assert doc.size == (len(content) if name.endswith(".pdf") else doc.file.size)
        # (a suffix is added when the same content is already stored for this claim)
        assert re.fullmatch(rf"claims/{claim.pk}/{doc.sha256[:32]}(_\w+)?", doc.file.name)
        assert name not in doc.file.name
    else:
        with pytest.raises(ApplicationError) as exc:
            services.document_add(actor=actor, claim_id=claim.pk, name=name, content=content)
        assert "file" in exc.value.fields


def test_oversized_upload_is_refused(flow, world, settings):
    settings.VETBRIDGE_DOCUMENT_MAX_BYTES = 1000
    claim = flow.file()
    with pytest.raises(ApplicationError):
        services.document_add(
            actor=world["users"]["veteran"],
            claim_id=claim.pk,
            name="big.pdf",
            content=PDF + b"0" * 2000,
        )


def test_documents_served_only_to_authorised_roles_and_audited(flow, world):
    from vetbridge.accounts.models import AuditLog

    claim = flow.file()
    doc = services.document_add(
        actor=world["users"]["veteran"], claim_id=claim.pk, name="scan.pdf", content=PDF
    )
    url = f"/claims/documents/{doc.pk}/"
    expected = {
        "veteran": 200,
        "medical_assessor": 200,
        "pension_officer": 200,
        "admin": 200,
        "case_worker": 403,
        "memorial_editor": 403,
        "analyst": 403,
    }
    for role, status in expected.items():
        response = _as(world["users"][role]).get(url)
        assert response.status_code == status, role
        if status == 200:
            assert b"".join(response.streaming_content) == PDF
            assert response["Cache-Control"] == "private, no-store"
    assert (
        AuditLog.objects.filter(action="read", object_type="reparation.claimdocument").count() == 4
    )
    assert Client().get(url).status_code == 302  # anonymous: to the login page


def test_letter_in_the_claimants_language_and_french(flow, world):
    from pypdf import PdfReader

    claim = flow.granted()
    decision = claim.decisions.get()
    assert letter_languages(decision) == ["uk", "fr"]
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(decision_letter_pdf(decision))).pages
    )
    assert "Рішення" in text and "Décision" in text
    assert "Commission de recours de l'invalidité" in text
    # Until the notification is recorded the letter says the deadline runs from it.
    assert "notifi" in text and "pas encore" in text.replace("\n", " ")
    decision = services.decision_notify(
        actor=world["users"]["pension_officer"],
        decision_id=decision.pk,
        notified_on=decision.computed_on,
    )
    text = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(decision_letter_pdf(decision))).pages
    )
    assert decision.appeal_deadline.strftime("%Y") in text
    world["lviv"].preferred_language = "fr"
    world["lviv"].save()
    decision.claim.person.refresh_from_db()
    assert letter_languages(decision) == ["fr"]


def test_replay_reproduces_every_decision_even_after_the_parameters_change(
    flow, world, monkeypatch
):
    from vetbridge.rules.parameters import Parameters

    flow.granted()
    ua = flow.file("ua_death", actor="case_worker", death_date="2025-02-01", recipients=2)
    flow.step(ua, "complete_file", "pension_officer")
    flow.decide(ua)
    assert services.replay_all() == []
    # The point value is "corrected" in the files: today's computation changes, replay not.
    real = Parameters.load("fr")
    files = dict(real.files)
    files["point_value.yaml"] = files["point_value.yaml"].replace("value: 1", "value: 2")
    changed = Parameters.from_files("fr", files)
    assert changed.digest != real.digest
    original = Parameters.load
    monkeypatch.setattr(
        Parameters, "load", lambda country, *a: changed if country == "fr" else original(country)
    )
    assert services.preview(flow.granted())["annual_amount_eur"] > 0
    assert services.replay_all() == []
    # A tampered stored result is caught.
    tampered = ua.decisions.get()
    tampered.result = {**tampered.result, "total_uah": 1.0}
    tampered.save()
    assert [x["decision"] for x in services.replay_all()] == [tampered.pk]


def test_web_walk_file_with_document_assess_decide_download(flow, world):
    vet = _as(world["users"]["veteran"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    refused = vet.post(
        f"/claims/file/{world['lviv'].pk}/",
        {
            "kind": "fr_pension",
            "residence": "metropole",
            "document": SimpleUploadedFile("fake.pdf", b"<html>", content_type="application/pdf"),
        },
    )
    assert refused.status_code == 400 and not world["lviv"].claims.exists()
    response = vet.post(
        f"/claims/file/{world['lviv'].pk}/",
        {
            "kind": "fr_pension",
            "residence": "metropole",
            "statement": "Поранення",
            "document": SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf"),
        },
    )
    assert response.status_code == 302
    claim = world["lviv"].claims.get()
    assert claim.documents.count() == 1
    bad = vet.post(
        f"/claims/{claim.pk}/documents/",
        {"file": SimpleUploadedFile("x.pdf", b"nope", content_type="application/pdf")},
    )
    assert bad.status_code == 400 and claim.documents.count() == 1
    assessor = _as(world["users"]["medical_assessor"])
    assessor.post(
        f"/claims/{claim.pk}/transition/", {"name": "start_assessment", "version": claim.version}
    )
    claim.refresh_from_db()
    rows = {
        "inf-TOTAL_FORMS": "2",
        "inf-INITIAL_FORMS": "0",
        "inf-MIN_NUM_FORMS": "0",
        "inf-MAX_NUM_FORMS": "20",
        "version": claim.version,
        "medical_notes": "RAS",
        "inf-0-label": "Genou",
        "inf-0-rate": "40",
        "inf-0-cause": "injury",
        "inf-0-context": "war",
        "inf-0-addition": "chain",
    }
    assert assessor.post(f"/claims/{claim.pk}/infirmities/", rows).status_code == 302
    claim.refresh_from_db()
    assessor.post(
        f"/claims/{claim.pk}/transition/", {"name": "complete_assessment", "version": claim.version}
    )
    claim.refresh_from_db()
    officer = _as(world["users"]["pension_officer"])
    assert (
        officer.post(
            f"/claims/{claim.pk}/decide/", {"version": claim.version, "grant": "1"}
        ).status_code
        == 302
    )
    decision = claim.decisions.get()
    letter = vet.get(f"/claims/decisions/{decision.pk}/letter.pdf")
    assert letter.status_code == 200 and letter.content.startswith(b"%PDF")
    assert (
        _as(world["users"]["case_worker"])
        .get(f"/claims/decisions/{decision.pk}/letter.pdf")
        .status_code
        == 403
    )
    page = vet.get(f"/claims/{claim.pk}/").content.decode()
    assert "Genou" in page and claim.reference in page
