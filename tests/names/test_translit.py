"""Transliteration systems (KMU 2010 from translitua; French usage by own rules)."""

from __future__ import annotations

import pytest

from vetbridge.names.translit import transliterate


@pytest.mark.parametrize(
    ("cyrillic", "kmu"),
    [
        ("Олександр Щербаченко", "Oleksandr Shcherbachenko"),
        ("Юрій Згурський", "Yurii Zghurskyi"),
        ("Мар'яна Їжакевич", "Mariana Yizhakevych"),
        ("Григорій", "Hryhorii"),
    ],
)
def test_kmu_2010(cyrillic, kmu):
    assert transliterate(cyrillic, "kmu") == kmu


@pytest.mark.parametrize(
    ("cyrillic", "french"),
    [
        ("Михайло", "Mykhaïlo"),
        ("Шевченко", "Chevtchenko"),
        ("Залужний", "Zaloujny"),
        ("Зеленський", "Zelensky"),
        ("Василь", "Vassyl"),
        ("Юлія", "Ioulia"),
        ("Щербак", "Chtcherbak"),
        ("Андрій", "Andriï"),
    ],
)
def test_french_usage_context_rules(cyrillic, french):
    assert transliterate(cyrillic, "fr") == french


def test_unknown_system_is_refused():
    with pytest.raises(ValueError, match="unknown"):
        transliterate("Іван", "klingon")
