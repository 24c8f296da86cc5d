"""The WHODAS chart is drawn in every language: SVG coordinates are never localised."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vetbridge.accounts.models import User
from vetbridge.people.demo import load_demo

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("lang", ["uk", "fr", "en"])
def test_chart_points_are_numbers_inside_the_chart_area(regions, lang):
    load_demo()
    user = User.objects.get(username="assessor")
    user.language = lang
    user.save(update_fields=["language"])
    veteran = User.objects.get(username="veteran").person
    client = Client()
    client.force_login(user)
    page = client.get(f"/care/{veteran.pk}/").content.decode()
    svg = re.search(r'<svg role="img"[^>]*width="(\d+)" height="(\d+)".*?</svg>', page, re.S)
    assert svg, "the chart is drawn"
    width, height = int(svg.group(1)), int(svg.group(2))
    points = re.findall(r'<circle cx="([^"]+)" cy="([^"]+)"', svg.group(0))
    assert len(points) >= 2
    for cx, cy in points:
        assert 0 <= float(cx) <= width and 0 <= float(cy) <= height, (cx, cy)
    polyline = re.search(r'points="([^"]+)"', svg.group(0)).group(1)
    assert len(polyline.split()) == len(points)
    assert all(len(pair.split(",")) == 2 for pair in polyline.split())
