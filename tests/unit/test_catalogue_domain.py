"""Category classification table (pure): prohibited / restricted with documents / open, EN and ZH."""
import pytest

from webapp.domain import catalogue as dc
from webapp.domain.documents import KINDS

P, R, O = dc.PROHIBITED, dc.RESTRICTED, dc.OPEN


@pytest.mark.parametrize("category, title, status, docs", [
    # prohibited (always blocked)
    ("Health > Weight Management", "", P, ()),
    ("Health > Food Supplements", "Fat Burner Capsules", P, ()),
    ("Health > Supplements", "Nootropic Focus Stack", P, ()),
    ("Health > Sexual Wellness", "", P, ()),
    ("Health", "Testosterone Booster for Men", P, ()),
    ("Beauty", "Slimming Cream", P, ()),
    ("Baby & Maternity > Infant Formula", "", P, ()),
    ("Baby & Maternity", "Baltic Amber Teething Necklace", P, ()),
    ("Adult Products", "", P, ()),
    ("Food & Beverages > Wine", "", P, ()),
    ("Tobacco & Vapes", "", P, ()),
    ("Phones & Electronics", "Disposable Vape Pen", P, ()),
    ("Sports & Outdoor > Hunting", "Rifle scope mount", P, ()),
    ("Health", "CBD gummies 500mg", P, ()),
    ("Fashion", "Recalled hoodie", P, ()),
    ("Fashion Accessories", "Replica designer handbag", P, ()),
    ("Pet Supplies > Flea & Tick", "", P, ()),
    ("Gift Cards", "", P, ()),
    ("Toys & Hobbies", "Casino slot machine bank", P, ()),
    # Chinese category names
    ("减肥茶", "", P, ()),
    ("电子烟", "", P, ()),
    ("成人用品", "", P, ()),
    ("玩具 > 积木", "", R, ("cpc",)),
    ("儿童服装", "", R, ("cpc",)),
    ("保健品 > 维生素", "", R, ("supplement_gmp",)),
    ("食品饮料 > 零食", "", R, ("fda_registration",)),
    ("宠物用品 > 狗粮", "", R, ("fda_registration",)),
    ("美妆个护 > 美容仪", "", R, ("fda_registration",)),
    ("蓝牙耳机", "", R, ("fcc",)),
    ("宠物玩具", "", O, ()),
    ("美妆个护 > 护肤", "", O, ()),
    # restricted with their documents
    ("Toys & Hobbies > Dolls", "", R, ("cpc",)),
    ("Kids' Fashion > Girls' Dresses", "", R, ("cpc",)),
    ("KIDS’ FASHION", "", R, ("cpc",)),
    ("Toys & Hobbies > Educational Toys", "Bluetooth coding robot", R, ("cpc", "fcc")),
    ("Phones & Electronics > Audio > Wireless Earbuds", "", R, ("fcc",)),
    ("Home > Smart Home", "Wi-Fi smart plug", R, ("fcc",)),
    ("Beauty & Personal Care > Beauty Devices", "LED face mask", R, ("fda_registration",)),
    ("Beauty & Personal Care > Skincare", "Daily Moisturizer SPF30", R, ("fda_registration",)),
    ("Health > Food Supplements > Vitamins", "", R, ("supplement_gmp",)),
    ("Food & Beverages > Snacks", "", R, ("fda_registration",)),
    ("Pet Supplies > Dog Food", "", R, ("fda_registration",)),
    ("Jewelry > Fine Jewelry", "", R, ("jewelry_certificate",)),
    # open, including look-alikes the unless-terms keep out
    ("Beauty & Personal Care > Skincare > Serums", "Vitamin C Serum", O, ()),
    ("Pet Supplies > Dog Toys", "", O, ()),
    ("Home & Kitchen > Food Storage", "", O, ()),
    ("Phones & Electronics > Phone Cases", "", O, ()),
    ("Kitchen > Wine Accessories", "", O, ()),
    ("Beauty > Toner", "Alcohol-free toner", O, ()),
    ("Womenswear > Shapewear", "Slimming bodysuit", O, ()),
    ("Arts & Crafts > Diamond Painting", "", O, ()),
    ("Home > Garden", "Pistol grip hose nozzle", O, ()),
    ("Fashion Accessories > Eyewear", "Non-prescription blue light glasses", O, ()),
    ("Home Supplies > Bathroom Supplies > Towels", "Plush towels", O, ()),
    ("", "", O, ()),
])
def test_classify(category, title, status, docs):
    c = dc.classify(category, None, title=title)
    assert (c.status, c.required_documents) == (status, docs), c
    assert bool(c.reason) == (status != O)


def test_case_and_separators_do_not_matter():
    assert dc.classify("TOYS&HOBBIES>DOLLS", None).required_documents == ("cpc",)
    assert dc.classify("toys_hobbies/dolls", None).status == R


def test_prohibited_wins_over_restricted():
    c = dc.classify("Toys & Hobbies", None, title="Sex toy for adults")
    assert c.status == P and c.required_documents == ()


def test_extra_prohibited_keywords_from_policy():
    pol = {"extra_prohibited_keywords": "kratom, 槟榔 ,  "}
    assert dc.classify("Snacks", pol, title="槟榔 betel nut").status == P
    assert dc.classify("Snacks", pol, title="Kratoms").status == P
    assert dc.classify("Snacks", pol).status == R           # unaffected otherwise
    assert dc.classify("Snacks", {"extra_prohibited_keywords": ""}).status == R


def test_every_rule_has_a_reason_a_source_and_known_document_kinds():
    for row in dc.rule_table():
        assert row["reason"] and row["source"].startswith("https://"), row["code"]
        assert set(row["documents"]) <= set(KINDS), row["code"]
        assert (row["status"] == R) == bool(row["documents"]), row["code"]
