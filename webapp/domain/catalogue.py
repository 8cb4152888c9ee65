"""Product category classification for TikTok Shop US: prohibited, restricted (needs a document), open.

The table below is pure data with its sources (domain-reference §1.6 and §7 item 8). Matching is on
the product's category path (and, for a few unambiguous terms, its title): case-insensitive, English
terms as whole words (plural "s"/"es" allowed; punctuation and "&" separate words), Chinese terms as
substrings. A rule does not apply
when one of its `unless` terms is present (pet toys are not children's toys, alcohol-free toner is
not alcohol). Prohibited wins over restricted; a product matching several restricted rules needs
every document they list (a Bluetooth toy needs a CPC and an FCC authorization).
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from datetime import date

from webapp.domain.policy import N_, PolicyDef, register

PROHIBITED, RESTRICTED, OPEN = "prohibited", "restricted", "open"

SRC_PROHIBITED = "https://seller-us.tiktok.com/university/essay?knowledge_id=3719218886117175"
SRC_HEALTH = "https://seller-us.tiktok.com/university/essay?knowledge_id=1411277869713198"
SRC_PROHIBITED_2 = "https://seller-us.tiktok.com/university/essay?knowledge_id=4545471832983342"
SRC_CN_SUMMARY = "https://tik128.com/?p=256"
SRC_KIDS = "https://seller-us.tiktok.com/university/essay?knowledge_id=6970324132710190"
SRC_TOYS = "https://seller-us.tiktok.com/university/essay?knowledge_id=6970324132480814"
SRC_BEAUTY = "https://seller-us.tiktok.com/university/essay?knowledge_id=5182916671129386"
SRC_BEAUTY_OTC = "https://seller-us.tiktok.com/university/essay?knowledge_id=1789325403522858"
SRC_FOOD = "https://seller-us.tiktok.com/university/essay?knowledge_id=1427590502287146"
SRC_PET_FOOD = "https://seller-us.tiktok.com/university/essay?knowledge_id=5166793187346222"
SRC_ELECTRONICS = "https://knowledgebase.skuiq.com/knowledge/tts-restricted-categories"
SRC_JEWELRY = "https://eshoppick.com/blog/tiktok-shop-category-requirements-supplements-jewelry-beauty"

register(
    PolicyDef(key="catalogue.extra_prohibited_keywords", default="", kind="text",
              label=N_("More prohibited keywords (comma-separated), for policy changes not yet in LinkDesk"),
              source_url=SRC_PROHIBITED, verified_on=date(2026, 11, 21), area="catalogue"),
)


@dataclass(frozen=True)
class Rule:
    code: str
    status: str                       # prohibited | restricted
    terms: tuple[str, ...]            # English words/phrases (word boundaries) or Chinese substrings
    reason: str                       # N_-marked
    documents: tuple[str, ...] = ()   # document kinds a restricted category needs (all of them)
    unless: tuple[str, ...] = ()
    on_title: bool = False            # also look at the product title
    source: str = ""


PET = ("pet", "pets", "dog", "dogs", "cat", "cats", "puppy", "kitten", "宠物", "狗", "猫")

RULES: tuple[Rule, ...] = (
    # --- prohibited: always blocked, for every seller and creator -----------------------------
    Rule("weight_management", PROHIBITED,
         ("weight loss", "weight-loss", "weight management", "fat burner", "fat burning", "appetite suppressant",
          "meal replacement", "diet pill", "keto pill", "slimming", "slim tea", "detox tea",
          "减肥", "瘦身", "燃脂", "代餐", "减脂", "纤体"),
         N_("Weight-management and slimming products (fat burners, appetite suppressants, meal replacements) are prohibited on TikTok Shop US."),
         unless=("shapewear", "jeans", "leggings", "pants", "dress", "scale", "塑身衣", "体重秤"), on_title=True, source=SRC_HEALTH),
    Rule("mental_wellness", PROHIBITED,
         ("nootropic", "mental wellness supplement", "mood supplement", "mood support", "anxiety relief supplement",
          "stress relief supplement", "brain booster", "抗焦虑", "情绪补充剂"),
         N_("Mental-wellness supplements are prohibited on TikTok Shop US."), on_title=True, source=SRC_HEALTH),
    Rule("sexual_wellness", PROHIBITED,
         ("sexual wellness", "sexual enhancement", "male enhancement", "testosterone booster", "libido", "aphrodisiac",
          "壮阳", "性保健", "助勃"),
         N_("Sexual-wellness supplements and testosterone boosters are prohibited on TikTok Shop US."), on_title=True, source=SRC_HEALTH),
    Rule("adult", PROHIBITED,
         ("adult toy", "sex toy", "adult products", "adult novelty", "erotic", "vibrator", "dildo", "情趣", "成人用品"),
         N_("Adult and sexual products are prohibited on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("infant_formula", PROHIBITED,
         ("infant formula", "baby formula", "婴儿配方", "配方奶粉", "婴儿奶粉"),
         N_("Infant formula is prohibited on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("teethers", PROHIBITED,
         ("amber teething", "amber necklace", "teething necklace", "teething bracelet", "beaded teether", "琥珀牙", "磨牙项链", "牙胶手链"),
         N_("Beaded and amber teethers are prohibited on TikTok Shop US (choking and strangulation risk)."), on_title=True, source=SRC_PROHIBITED),
    Rule("alcohol", PROHIBITED,
         ("alcohol", "alcoholic beverage", "wine", "beer", "liquor", "spirits", "vodka", "whiskey", "酒类", "白酒", "啤酒", "葡萄酒", "洋酒"),
         N_("Alcohol is prohibited on TikTok Shop US."),
         unless=("free", "wipe", "glass", "opener", "rack", "accessory", "accessories", "stopper", "decanter", "aerator",
                 "杯", "开瓶", "棉", "酒柜"), source=SRC_PROHIBITED),
    Rule("tobacco", PROHIBITED,
         ("tobacco", "cigarette", "cigar", "e-cigarette", "vape", "vaping", "e-liquid", "nicotine", "hookah", "shisha",
          "烟草", "香烟", "电子烟", "烟油", "尼古丁"),
         N_("Tobacco, vapes and nicotine products are prohibited on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("weapons", PROHIBITED,
         ("firearm", "handgun", "pistol", "rifle", "shotgun", "ammunition", "gun parts", "switchblade", "brass knuckles",
          "stun gun", "taser", "weapon", "枪支", "弹药", "刀具武器", "电击器"),
         N_("Firearms and weapons are prohibited on TikTok Shop US."), unless=("water", "toy", "nozzle", "sprayer", "pistol grip", "glue", "massage", "玩具"), on_title=True, source=SRC_PROHIBITED),
    Rule("drugs", PROHIBITED,
         ("drug", "drugs", "cbd", "thc", "cannabis", "marijuana", "kratom", "psilocybin", "prescription", "毒品", "大麻", "处方药"),
         N_("Drugs, cannabis/CBD products and prescription medicines are prohibited on TikTok Shop US."),
         unless=("drugstore", "free", "non-prescription"), on_title=True, source=SRC_PROHIBITED),
    Rule("recalled", PROHIBITED, ("recalled", "召回"),
         N_("Recalled products cannot be sold on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("counterfeit", PROHIBITED,
         ("counterfeit", "replica", "knockoff", "fake designer", "高仿", "仿品", "假货", "复刻"),
         N_("Counterfeit and replica goods are prohibited on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("pet_medication", PROHIBITED,
         ("pet medication", "pet medicine", "flea", "flea and tick", "tick treatment", "dewormer", "heartworm",
          "宠物药", "驱虫", "跳蚤"),
         N_("Pet medications and flea/tick treatments are prohibited on TikTok Shop US."), on_title=True, source=SRC_PROHIBITED),
    Rule("gambling", PROHIBITED, ("gambling", "lottery", "casino", "slot machine", "赌博", "彩票"),
         N_("Gambling and lottery items are prohibited on TikTok Shop US."), on_title=True, source=SRC_CN_SUMMARY),
    Rule("gift_cards", PROHIBITED, ("gift card", "voucher", "prepaid card", "礼品卡", "代金券", "储值卡"),
         N_("Gift cards and vouchers are prohibited on TikTok Shop US."), on_title=True, source=SRC_CN_SUMMARY),
    Rule("lock_picking", PROHIBITED, ("lock pick", "lockpick", "lock picking", "开锁工具"),
         N_("Lock-picking tools are prohibited on TikTok Shop US."), on_title=True, source=SRC_CN_SUMMARY),
    # --- restricted: sellable after Category Qualification with the listed documents -----------
    Rule("kids_fashion", RESTRICTED,
         ("kids", "kid's", "kids'", "children", "children's", "child", "toddler", "baby clothing", "baby apparel", "infant clothing",
          "kidswear", "童装", "儿童", "婴儿服", "宝宝衣", "童鞋"),
         N_("Children's products (ages 0–12) need a Children's Product Certificate issued within 365 days."),
         documents=("cpc",), unless=PET + ("adult",), source=SRC_KIDS),
    Rule("toys", RESTRICTED,
         ("toy", "toys & hobbies", "plush toy", "plushie", "stuffed animal", "building blocks", "doll", "action figure", "玩具", "积木", "毛绒"),
         N_("Toys need a Children's Product Certificate issued within 365 days and a CPSC-accepted lab test report."),
         documents=("cpc",), unless=PET + ("adult", "sex", "fidget for adults"), source=SRC_TOYS),
    Rule("wireless", RESTRICTED,
         ("bluetooth", "wi-fi", "wifi", "蓝牙", "无线网"),
         N_("Bluetooth and Wi-Fi products need FCC authorization and an image of the FCC marking."),
         documents=("fcc",), on_title=True, source=SRC_TOYS),
    Rule("electronics", RESTRICTED,
         ("headphones", "earphones", "earbuds", "speaker", "smart watch", "smartwatch", "phones", "tablets", "router",
          "drone", "walkie-talkie", "baby monitor", "耳机", "音箱", "智能手表", "手机", "平板电脑", "路由器", "无人机"),
         N_("Wireless electronics need an FCC ID or Supplier's Declaration of Conformity."),
         documents=("fcc",), unless=("case", "cover", "holder", "stand", "mount", "protector", "strap", "band", "charger", "cable",
                                     "手机壳", "支架", "贴膜", "表带", "数据线", "配件"), source=SRC_ELECTRONICS),
    Rule("beauty_devices", RESTRICTED,
         ("beauty device", "facial device", "skincare device", "skin care device", "led mask", "led face mask", "light therapy",
          "red light therapy", "microcurrent", "radio frequency", "ipl", "hair removal device", "laser hair removal", "epilator",
          "oral irrigator", "water flosser", "tampon", "menstrual cup",
          "美容仪", "脱毛仪", "洗脸仪", "冲牙器", "卫生棉条", "月经杯", "光子嫩肤"),
         N_("Beauty devices regulated as medical devices need the maker's FDA establishment registration and device listing."),
         documents=("fda_registration",), on_title=True, source=SRC_BEAUTY),
    Rule("otc_cosmetics", RESTRICTED,
         ("sunscreen", "sunblock", "spf", "acne treatment", "acne gel", "antiperspirant", "防晒", "祛痘", "止汗"),
         N_("Sunscreen, acne treatments and antiperspirants are OTC drugs in the US and need FDA registration and drug listing."),
         documents=("fda_registration",), on_title=True, source=SRC_BEAUTY_OTC),
    Rule("supplements", RESTRICTED,
         ("dietary supplement", "supplement", "vitamins", "multivitamin", "probiotic", "protein powder", "food supplements",
          "保健品", "膳食补充剂", "营养补充剂", "维生素", "益生菌"),
         N_("Dietary supplements need the maker's FDA food-facility registration or a cGMP certificate."),
         documents=("supplement_gmp",), unless=PET, source=SRC_HEALTH),
    Rule("food", RESTRICTED,
         ("food & beverages", "food and beverages", "food", "snacks", "beverages", "drinks", "grocery", "coffee beans",
          "candy", "食品", "零食", "饮料", "食品饮料"),
         N_("Food and beverages need category qualification with the maker's FDA food-facility registration."),
         documents=("fda_registration",), unless=PET + ("storage", "container", "processor", "kitchen appliances", "supplement",
                                                        "supplements", "保鲜", "收纳", "料理机"), source=SRC_FOOD),
    Rule("pet_food", RESTRICTED,
         ("pet food", "dog food", "cat food", "pet treats", "dog treats", "cat treats", "pet supplement",
          "宠物食品", "狗粮", "猫粮", "宠物零食", "宠物营养"),
         N_("Pet food and pet supplements need FDA registration or a cGMP verification."),
         documents=("fda_registration",), source=SRC_PET_FOOD),
    Rule("fine_jewelry", RESTRICTED,
         ("fine jewelry", "fine jewellery", "gold jewelry", "diamond", "gemstone", "precious metal", "18k gold", "14k gold",
          "黄金", "钻石", "宝石", "贵金属"),
         N_("Fine jewelry needs an authenticity or appraisal certificate."),
         documents=("jewelry_certificate",), unless=("fashion jewelry", "costume", "simulated", "painting", "art", "仿", "钻石画"), source=SRC_JEWELRY),
)


@dataclass(frozen=True)
class Classification:
    status: str                          # prohibited | restricted | open
    reason: str                          # N_-marked text ("" when open); translate where shown
    required_documents: tuple[str, ...]  # document kinds (restricted only)
    rules: tuple[str, ...] = ()          # codes of the rules that matched


OPEN_CLASSIFICATION = Classification(OPEN, "", ())


_CJK = re.compile(r"[\u3400-\u9fff]")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])|(?<=[0-9])(?=[a-z])")
_CJK_RUN = re.compile(r"([\u3400-\u9fff]+)")
_OTHER = re.compile(r"[^0-9a-z\u3400-\u9fff]+")
_NONE: frozenset = frozenset()


@lru_cache(maxsize=65_536)
def normalise(text: str | None) -> str:
    """Lower-case words separated by single spaces, padded: 'Toys&Hobbies>Dolls' → ' toys hobbies dolls '.

    Full-width forms become ASCII (NFKC), letters and digits are split ('SPF30' → 'spf 30'), any other
    character separates words; Chinese runs are kept whole and matched as substrings."""
    s = unicodedata.normalize("NFKC", text or "").lower()
    s = _OTHER.sub(" ", _CJK_RUN.sub(r" \1 ", _LETTER_DIGIT.sub(" ", s)))
    return " " + " ".join(s.split()) + " "


def _variants(term: str) -> tuple[str, ...]:
    """The padded phrase and its plurals ('toy' → ' toy ', ' toys ', ' toyes ')."""
    core = normalise(term).strip()
    return tuple(f" {core}{suffix} " for suffix in ("", "s", "es")) if core else ()


class _Index:
    """Term lookup for a list of (term, key) pairs: one-word terms by token, phrases by their first
    token, Chinese terms as substrings. `scan(text)` returns the keys found in a normalised text."""

    def __init__(self, pairs):
        self.words: dict[str, frozenset] = {}
        self.phrases: dict[str, list] = {}
        self.cjk: list = []
        for term, key in pairs:
            if _CJK.search(term):
                self.cjk.append((normalise(term).strip(), key))
                continue
            variants = _variants(term)
            if not variants:
                continue
            if " " not in variants[0].strip():
                for v in variants:
                    self.words[v.strip()] = self.words.get(v.strip(), _NONE) | {key}
            else:
                self.phrases.setdefault(variants[0].split()[0], []).append((variants, key))

    def scan(self, text: str) -> set:
        found: set = set()
        words, phrases = self.words, self.phrases
        for tok in set(text.split()):
            hit = words.get(tok)
            if hit:
                found |= hit
            for variants, key in phrases.get(tok, ()):
                if key not in found and any(v in text for v in variants):
                    found.add(key)
        if self.cjk and _CJK.search(text):
            found |= {key for term, key in self.cjk if term in text}
        return found


_INDEX = _Index([(t, (i, False)) for i, r in enumerate(RULES) for t in r.terms]
                + [(t, (i, True)) for i, r in enumerate(RULES) for t in r.unless])


@lru_cache(maxsize=65_536)
def _scan(text: str) -> tuple[frozenset, frozenset]:
    """(rules whose terms occur, rules whose unless-terms occur) in a normalised text."""
    keys = _INDEX.scan(text)
    return frozenset(i for i, u in keys if not u), frozenset(i for i, u in keys if u)


def classify(category: str, policy=None, title: str = "") -> Classification:
    """Classify a product by its category (and title); `policy` may add prohibited keywords."""
    cat, ttl = normalise(category), normalise(title)
    extra = _extra_prohibited(policy)
    if extra is not None and (extra.scan(cat) or extra.scan(ttl)):
        return Classification(PROHIBITED, N_("This product matches a prohibited keyword in your organisation's settings."), (), ("custom",))
    cat_hits, cat_unless = _scan(cat)
    ttl_hits, ttl_unless = _scan(ttl) if ttl.strip() else (frozenset(), frozenset())
    restricted: list[Rule] = []
    for i, rule in enumerate(RULES):
        hit = i in cat_hits or (rule.on_title and i in ttl_hits)
        if not hit or i in cat_unless or i in ttl_unless:
            continue
        if rule.status == PROHIBITED:
            return Classification(PROHIBITED, rule.reason, (), (rule.code,))
        restricted.append(rule)
    if not restricted:
        return OPEN_CLASSIFICATION
    docs: list[str] = []
    for r in restricted:
        docs += [d for d in r.documents if d not in docs]
    return Classification(RESTRICTED, restricted[0].reason, tuple(docs), tuple(r.code for r in restricted))


@lru_cache(maxsize=64)
def _extra_index(raw: str) -> _Index | None:
    terms = [t.strip() for t in re.split(r"[,，;\n]", raw) if t.strip()]
    return _Index([(t, t) for t in terms]) if terms else None


def _extra_prohibited(policy) -> _Index | None:
    raw = ""
    if policy is not None:
        try:
            raw = policy.get("extra_prohibited_keywords", "") or ""
        except AttributeError:
            raw = ""
    return _extra_index(str(raw))


def rule_table() -> list[dict]:
    """The rules as rows (for the settings/help page and tests): code, status, terms, documents, source."""
    return [dict(code=r.code, status=r.status, terms=r.terms, documents=r.documents, reason=r.reason, source=r.source)
            for r in RULES]
