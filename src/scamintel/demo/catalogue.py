"""Static tables behind the synthetic demonstration data set.

Everything a generated report is made of comes from here: numbering plans, real bank codes and
account lengths, brands that lookalike domains imitate, where operations are based, what each
scam type looks like, and the official hotlines victims mention (benign noise). Keeping them
apart from the generator lets a reader check the tables against the world without reading code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from scamintel.indicators.warninglist import official_phone_contacts

# The window is anchored to a fixed date, not today's, so a seed always yields the same bytes.
REFERENCE_DATE = datetime(2026, 11, 1, tzinfo=UTC)
HISTORY_DAYS = 548  # about 18 months

SCAM_TYPES: tuple[str, ...] = (
    "officials_impersonated",
    "phishing_parcel_utility",
    "malicious_app",
    "bank_impersonation",
    "investment",
    "job_task",
    "loan",
    "fake_seller",
    "romance",
    "hacked_account",
    "prize_qr",
    "sextortion",
    "gambling_lure",
    "recovery",
    "other",
)

CHANNELS: tuple[str, ...] = (
    "call",
    "sms",
    "line",
    "telegram",
    "whatsapp",
    "facebook",
    "web",
    "email",
    "in_person",
    "other",
)


@dataclass(frozen=True, slots=True)
class PhonePlan:
    """How one country's mobile numbers are drawn and how people write them.

    ``prefixes`` pairs leading digits of the national significant number (NSN) with the NSN
    length; candidates are still checked against libphonenumber, because some ranges are only
    partly allocated. Groups describe the usual spacing; the last group takes any remainder.
    """

    region: str
    calling_code: str
    trunk: str
    prefixes: tuple[tuple[str, int], ...]
    national_groups: tuple[int, ...]
    international_groups: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class Bank:
    """A real retail bank whose accounts mules open; ``groups`` is how statements print them."""

    code: str
    country: str
    digits: int
    groups: tuple[int, ...]
    leads: tuple[str, ...] = ("",)


@dataclass(frozen=True, slots=True)
class NamePattern:
    """One way names are composed in a country: each part is drawn from its own list."""

    parts: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class VictimCountry:
    code: str
    currency: str
    minor_units: int
    median_loss: float
    languages: tuple[tuple[str, float], ...]
    phone: PhonePlan
    banks: tuple[Bank, ...]
    ewallets: tuple[tuple[str, str], ...]  # (provider code, name people write)
    brands: Mapping[str, tuple[str, ...]]  # category -> domain tokens of real brands
    orgs: Mapping[str, tuple[tuple[str, str], ...]]  # category -> (local name, English name)
    channel_bias: Mapping[str, float]
    names: tuple[NamePattern, ...]


@dataclass(frozen=True, slots=True)
class Base:
    """A compound where operations are run, and which countries its operations target."""

    key: str
    country: str
    place: str
    weight: float
    targets: tuple[tuple[str, float], ...]


def _plan(
    region: str,
    calling_code: str,
    trunk: str,
    prefixes: str,
    length: int,
    national: tuple[int, ...],
    international: tuple[int, ...],
    extra: tuple[tuple[str, int], ...] = (),
) -> PhonePlan:
    pairs = tuple((p, length) for p in prefixes.split()) + extra
    return PhonePlan(region, calling_code, trunk, pairs, national, international)


PHONE_PLANS: Mapping[str, PhonePlan] = {
    "TH": _plan(
        "TH",
        "66",
        "0",
        "61 62 63 64 65 80 81 82 83 84 85 86 87 88 89 90 91 92 93 94 95 96 97 98 99",
        9,
        (3, 3, 4),
        (2, 3, 4),
    ),
    "MY": _plan("MY", "60", "0", "12 13 16 17 19", 9, (3, 3, 4), (2, 3, 4), extra=(("11", 10),)),
    "SG": _plan("SG", "65", "", "8 9", 8, (4, 4), (4, 4)),
    "VN": _plan(
        "VN",
        "84",
        "0",
        "32 33 34 35 36 37 38 39 70 76 77 78 79 81 82 83 84 85 86 88 90 91 93 94 96 97 98",
        9,
        (4, 3, 3),
        (3, 3, 3),
    ),
    "ID": _plan(
        "ID",
        "62",
        "0",
        "811 812 813 821 822 852 853 857 858 877 878 881 895 896 897 898 899",
        11,
        (4, 4, 4),
        (3, 4, 4),
        extra=(("812", 10), ("813", 10), ("852", 10)),
    ),
    "PH": _plan(
        "PH",
        "63",
        "0",
        "905 906 915 916 917 918 919 920 921 926 927 928 929 935 936 945 951 955 956 961 966 "
        "967 977 995 998 999",
        10,
        (4, 3, 4),
        (3, 3, 4),
    ),
    "MM": _plan("MM", "95", "0", "96 97 925 926 976 977 978 979 989", 10, (2, 3, 3), (1, 3, 3)),
    "KH": _plan(
        "KH",
        "855",
        "0",
        "10 11 12 15 16 17 61 69 70 77 78 85 89 92 93 95 98 99",
        8,
        (3, 3, 3),
        (2, 3, 3),
        extra=(("96", 9), ("97", 9), ("88", 9), ("71", 9), ("76", 9)),
    ),
    "LA": _plan("LA", "856", "0", "202 205 207 209", 10, (3, 2, 3), (2, 4, 4)),
}


def _banks(
    country: str, *rows: tuple[str, int, tuple[int, ...], tuple[str, ...]]
) -> tuple[Bank, ...]:
    return tuple(Bank(code, country, digits, groups, leads) for code, digits, groups, leads in rows)


_ANY = ("",)

BANKS: Mapping[str, tuple[Bank, ...]] = {
    "TH": _banks(
        "TH",
        ("KBANK", 10, (3, 1, 5, 1), _ANY),
        ("SCB", 10, (3, 1, 5, 1), _ANY),
        ("BBL", 10, (3, 1, 5, 1), _ANY),
        ("KTB", 10, (3, 1, 5, 1), _ANY),
        ("BAY", 10, (3, 1, 5, 1), _ANY),
        ("TTB", 10, (3, 1, 5, 1), _ANY),
    ),
    "MY": _banks(
        "MY",
        ("MAYBANK", 12, (4, 4, 4), ("1", "5")),
        ("CIMB", 10, (2, 4, 4), ("7", "8")),
        ("PBB", 10, (1, 6, 3), ("3", "4", "6")),
    ),
    "SG": _banks(
        "SG",
        ("DBS", 10, (3, 1, 6), ("0", "1", "2")),
        ("OCBC", 12, (3, 6, 3), ("5", "6", "7")),
        ("UOB", 10, (3, 3, 3, 1), ("1", "3", "4")),
    ),
    "VN": _banks(
        "VN",
        ("VCB", 13, (4, 3, 6), ("0", "1")),
        ("TCB", 14, (4, 4, 4, 2), ("19",)),
        ("MB", 13, (4, 4, 5), ("0", "9")),
    ),
    "ID": _banks(
        "ID",
        ("BCA", 10, (3, 4, 3), _ANY),
        ("BRI", 15, (4, 2, 6, 2, 1), ("0", "1", "3")),
        ("MANDIRI", 13, (3, 2, 7, 1), ("1",)),
        ("BNI", 10, (3, 3, 4), ("0", "1")),
    ),
    "PH": _banks(
        "PH",
        ("BDO", 12, (4, 4, 4), ("00", "01")),
        ("BPI", 10, (4, 4, 2), _ANY),
        ("METROBANK", 13, (3, 1, 8, 1), _ANY),
    ),
}

# Scam types whose lookalike sites imitate a real organisation, and which kind of organisation.
BRAND_CATEGORY: Mapping[str, tuple[str, ...]] = {
    "officials_impersonated": ("police", "tax"),
    "phishing_parcel_utility": ("post", "utility", "tax"),
    "malicious_app": ("utility", "tax", "police", "bank"),
    "bank_impersonation": ("bank",),
    "prize_qr": ("shop", "wallet"),
}

_CHAT_HEAVY = {"line": 1.0, "whatsapp": 0.4, "facebook": 1.0}

VICTIM_COUNTRIES: Mapping[str, VictimCountry] = {
    "TH": VictimCountry(
        code="TH",
        currency="THB",
        minor_units=2,
        median_loss=12_000,
        languages=(("th", 0.85), ("en", 0.15)),
        phone=PHONE_PLANS["TH"],
        banks=BANKS["TH"],
        ewallets=(("TRUEMONEY", "TrueMoney"),),
        brands={
            "bank": (
                "kbank",
                "kasikorn",
                "scb",
                "scbeasy",
                "bangkokbank",
                "bualuang",
                "krungthai",
                "ktb-netbank",
                "krungsri",
                "ttbbank",
            ),
            "post": ("thaipost", "kerry-th", "flashexpress"),
            "utility": ("pea", "mea", "pea-bill"),
            "police": ("thaipolice", "royalthaipolice", "dsi-go"),
            "tax": ("rd-go", "revenue-th"),
            "shop": ("shopee-th", "lazada-th"),
            "wallet": ("truemoney", "truemoney-wallet"),
        },
        orgs={
            "police": (
                ("สำนักงานตำรวจแห่งชาติ", "the Royal Thai Police"),
                ("DSI", "the DSI"),
                ("ปปง.", "AMLO"),
            ),
            "tax": (("กรมสรรพากร", "the Revenue Department"),),
            "post": (
                ("ไปรษณีย์ไทย", "Thailand Post"),
                ("Kerry Express", "Kerry Express"),
                ("Flash Express", "Flash Express"),
            ),
            "utility": (("การไฟฟ้าส่วนภูมิภาค", "the PEA"), ("การไฟฟ้านครหลวง", "the MEA")),
            "bank": (
                ("ธนาคารกสิกรไทย", "Kasikornbank"),
                ("ธนาคารไทยพาณิชย์", "SCB"),
                ("ธนาคารกรุงเทพ", "Bangkok Bank"),
                ("ธนาคารกรุงไทย", "Krungthai Bank"),
            ),
            "shop": (("Shopee", "Shopee"), ("Lazada", "Lazada")),
            "wallet": (("TrueMoney", "TrueMoney"),),
        },
        channel_bias={"line": 2.0, "whatsapp": 0.2, "facebook": 1.0, "telegram": 0.8},
        names=(
            NamePattern(
                (
                    (
                        "สมชาย",
                        "สมศรี",
                        "วิไล",
                        "ประเสริฐ",
                        "อรุณี",
                        "สุนทร",
                        "กมล",
                        "จันทร์เพ็ญ",
                        "ณัฐพล",
                        "ธนพร",
                        "พิมพ์ชนก",
                        "ศิริพร",
                        "อนันต์",
                        "วีระ",
                        "มาลี",
                        "ปิยะ",
                        "กิตติ",
                        "นงลักษณ์",
                        "สุภาพร",
                        "ชัยวัฒน์",
                    ),
                    (
                        "ใจดี",
                        "สุขสวัสดิ์",
                        "ศรีสุข",
                        "วงศ์ไทย",
                        "แก้วมณี",
                        "บุญมา",
                        "ทองดี",
                        "รัตนพันธ์",
                        "พรหมมา",
                        "สายทอง",
                        "มีสุข",
                        "ชัยมงคล",
                        "ศักดิ์ดี",
                        "นาคสวัสดิ์",
                        "อินทร์แก้ว",
                    ),
                )
            ),
        ),
    ),
    "MY": VictimCountry(
        code="MY",
        currency="MYR",
        minor_units=2,
        median_loss=2_500,
        languages=(("ms", 0.6), ("en", 0.4)),
        phone=PHONE_PLANS["MY"],
        banks=BANKS["MY"],
        ewallets=(("TNG", "Touch 'n Go eWallet"),),
        brands={
            "bank": ("maybank2u", "maybank", "cimbclicks", "cimb", "pbebank", "publicbank"),
            "post": ("poslaju", "posmalaysia", "jtexpress-my"),
            "utility": ("tnb", "mytnb"),
            "police": ("pdrm", "bnm-my"),
            "tax": ("lhdn", "hasil"),
            "shop": ("shopee-my",),
            "wallet": ("touchngo", "tngdigital"),
        },
        orgs={
            "police": (("PDRM", "PDRM"), ("Bank Negara Malaysia", "Bank Negara Malaysia")),
            "tax": (("LHDN", "LHDN"),),
            "post": (("Pos Malaysia", "Pos Malaysia"), ("J&T Express", "J&T Express")),
            "utility": (("TNB", "TNB"),),
            "bank": (("Maybank", "Maybank"), ("CIMB", "CIMB"), ("Public Bank", "Public Bank")),
            "shop": (("Shopee", "Shopee"),),
            "wallet": (("Touch 'n Go", "Touch 'n Go"),),
        },
        channel_bias={"line": 0.1, "whatsapp": 2.0, "facebook": 1.0, "telegram": 1.2},
        names=(
            NamePattern(
                (
                    ("Ahmad", "Muhammad", "Farid", "Hafiz", "Zulkifli", "Azman", "Hakim", "Amir"),
                    ("bin",),
                    ("Ismail", "Abdullah", "Hassan", "Rahman", "Yusof", "Osman", "Ibrahim", "Omar"),
                )
            ),
            NamePattern(
                (
                    ("Siti", "Nurul", "Aisyah", "Farah", "Aminah", "Zarina", "Nur Aina", "Hidayah"),
                    ("binti",),
                    ("Ismail", "Abdullah", "Hassan", "Rahman", "Yusof", "Osman", "Ibrahim", "Omar"),
                )
            ),
            NamePattern(
                (
                    ("Tan", "Lim", "Lee", "Ng", "Wong", "Chong", "Teoh", "Ong", "Chan"),
                    (
                        "Wei Ling",
                        "Kah Meng",
                        "Mei Ling",
                        "Jun Hao",
                        "Siew Lan",
                        "Chee Keong",
                        "Li Ying",
                        "Kok Wai",
                    ),
                )
            ),
            NamePattern(
                (
                    ("Priya", "Rajesh", "Kavitha", "Suresh", "Ganesh", "Devi", "Arun", "Lakshmi"),
                    ("Subramaniam", "Krishnan", "Muthu", "Raj", "Pillai", "Nair", "Rajan"),
                )
            ),
        ),
    ),
    "SG": VictimCountry(
        code="SG",
        currency="SGD",
        minor_units=2,
        median_loss=3_000,
        languages=(("en", 1.0),),
        phone=PHONE_PLANS["SG"],
        banks=BANKS["SG"],
        ewallets=(),
        brands={
            "bank": ("dbs", "posb", "ocbc", "uob", "dbs-sg", "uob-sg"),
            "post": ("singpost", "singpost-track"),
            "utility": ("spgroup", "sp-services"),
            "police": ("spf-gov", "mas-gov"),
            "tax": ("iras", "iras-sg"),
            "shop": ("lazada-sg", "carousell-sg"),
            "wallet": ("dbs-paylah",),
        },
        orgs={
            "police": (
                ("the Singapore Police Force", "the Singapore Police Force"),
                ("MAS", "MAS"),
                ("ICA", "ICA"),
            ),
            "tax": (("IRAS", "IRAS"),),
            "post": (("SingPost", "SingPost"),),
            "utility": (("SP Group", "SP Group"),),
            "bank": (("DBS", "DBS"), ("OCBC", "OCBC"), ("UOB", "UOB")),
            "shop": (("Lazada", "Lazada"), ("Carousell", "Carousell")),
            "wallet": (("PayLah!", "PayLah!"),),
        },
        channel_bias={"line": 0.05, "whatsapp": 2.0, "facebook": 0.8, "telegram": 1.5},
        names=(
            NamePattern(
                (
                    ("Tan", "Lim", "Lee", "Ng", "Goh", "Koh", "Teo", "Chua", "Ong"),
                    ("Wei Ming", "Hui Min", "Jia Hui", "Kai Wen", "Mei Ling", "Zhi Hao", "Xin Yi"),
                )
            ),
            NamePattern(
                (
                    (
                        "Jason",
                        "Rachel",
                        "Daniel",
                        "Michelle",
                        "Bryan",
                        "Shirley",
                        "Kelvin",
                        "Grace",
                    ),
                    ("Tan", "Lim", "Lee", "Ng", "Goh", "Koh", "Teo", "Chua", "Ong"),
                )
            ),
            NamePattern(
                (
                    ("Nur", "Muhammad", "Siti", "Hafiz", "Farhan", "Aishah"),
                    ("Rahman", "Ismail", "Salleh", "Hamid", "Aziz"),
                )
            ),
            NamePattern(
                (
                    ("Ravi", "Priya", "Suresh", "Anitha", "Vijay", "Meena"),
                    ("Kumar", "Raj", "Nair", "Pillai", "Menon"),
                )
            ),
        ),
    ),
    "VN": VictimCountry(
        code="VN",
        currency="VND",
        minor_units=0,
        median_loss=15_000_000,
        languages=(("vi", 0.92), ("en", 0.08)),
        phone=PHONE_PLANS["VN"],
        banks=BANKS["VN"],
        ewallets=(("MOMO", "MoMo"),),
        brands={
            "bank": ("vietcombank", "vcb", "techcombank", "mbbank", "vcb-digibank"),
            "post": ("vnpost", "ghn-express", "vnpost-track"),
            "utility": ("evn", "evnhcmc", "evn-bill"),
            "police": ("bocongan", "dichvucong", "congan"),
            "tax": ("gdt", "thuedientu"),
            "shop": ("shopee-vn", "lazada-vn"),
            "wallet": ("momo", "momo-vn"),
        },
        orgs={
            "police": (("Công an", "the police"), ("Viện Kiểm sát", "the Procuracy")),
            "tax": (("Cục Thuế", "the Tax Department"),),
            "post": (("VNPost", "VNPost"), ("Giao Hàng Nhanh", "GHN")),
            "utility": (("Điện lực EVN", "EVN"),),
            "bank": (
                ("Vietcombank", "Vietcombank"),
                ("Techcombank", "Techcombank"),
                ("MB Bank", "MB Bank"),
            ),
            "shop": (("Shopee", "Shopee"),),
            "wallet": (("MoMo", "MoMo"),),
        },
        channel_bias={"line": 0.05, "whatsapp": 0.3, "facebook": 2.0, "telegram": 1.2},
        names=(
            NamePattern(
                (
                    (
                        "Nguyễn",
                        "Trần",
                        "Lê",
                        "Phạm",
                        "Hoàng",
                        "Huỳnh",
                        "Phan",
                        "Vũ",
                        "Võ",
                        "Đặng",
                        "Bùi",
                        "Đỗ",
                    ),
                    ("Văn", "Đức", "Minh", "Quốc", "Hữu"),
                    ("An", "Bình", "Cường", "Dũng", "Hùng", "Long", "Nam", "Phúc", "Tuấn", "Hải"),
                )
            ),
            NamePattern(
                (
                    (
                        "Nguyễn",
                        "Trần",
                        "Lê",
                        "Phạm",
                        "Hoàng",
                        "Huỳnh",
                        "Phan",
                        "Vũ",
                        "Võ",
                        "Đặng",
                        "Bùi",
                        "Đỗ",
                    ),
                    ("Thị", "Ngọc", "Thu", "Thanh"),
                    ("Mai", "Lan", "Hương", "Hoa", "Linh", "Trang", "Thảo", "Ngân", "Hạnh", "Vy"),
                )
            ),
        ),
    ),
    "ID": VictimCountry(
        code="ID",
        currency="IDR",
        minor_units=0,
        median_loss=4_000_000,
        languages=(("id", 0.92), ("en", 0.08)),
        phone=PHONE_PLANS["ID"],
        banks=BANKS["ID"],
        ewallets=(("GOPAY", "GoPay"), ("DANA", "DANA"), ("OVO", "OVO")),
        brands={
            "bank": ("klikbca", "bca", "bri", "brimo", "bankmandiri", "livin-mandiri", "bni"),
            "post": ("posindonesia", "jnt-express", "jne-resi"),
            "utility": ("pln", "pln-mobile"),
            "police": ("polri", "ojk"),
            "tax": ("djponline", "pajak"),
            "shop": ("tokopedia", "shopee-id"),
            "wallet": ("dana", "gopay", "dana-id"),
        },
        orgs={
            "police": (("Polri", "Polri"), ("OJK", "OJK")),
            "tax": (("DJP", "the tax office (DJP)"),),
            "post": (
                ("Pos Indonesia", "Pos Indonesia"),
                ("J&T Express", "J&T Express"),
                ("JNE", "JNE"),
            ),
            "utility": (("PLN", "PLN"),),
            "bank": (
                ("BCA", "BCA"),
                ("BRI", "BRI"),
                ("Bank Mandiri", "Bank Mandiri"),
                ("BNI", "BNI"),
            ),
            "shop": (("Tokopedia", "Tokopedia"), ("Shopee", "Shopee")),
            "wallet": (("DANA", "DANA"), ("GoPay", "GoPay")),
        },
        channel_bias={"line": 0.2, "whatsapp": 2.5, "facebook": 1.0, "telegram": 1.0},
        names=(
            NamePattern(
                (
                    (
                        "Budi",
                        "Agus",
                        "Dewi",
                        "Sri",
                        "Rina",
                        "Eko",
                        "Ahmad",
                        "Siti",
                        "Putri",
                        "Andi",
                        "Wahyu",
                        "Indah",
                        "Yuni",
                        "Rizky",
                    ),
                    (
                        "Santoso",
                        "Wijaya",
                        "Setiawan",
                        "Pratama",
                        "Saputra",
                        "Lestari",
                        "Hidayat",
                        "Nugroho",
                        "Kusuma",
                        "Rahayu",
                        "Susanto",
                        "Gunawan",
                    ),
                )
            ),
        ),
    ),
    "PH": VictimCountry(
        code="PH",
        currency="PHP",
        minor_units=2,
        median_loss=15_000,
        languages=(("tl", 0.55), ("en", 0.45)),
        phone=PHONE_PLANS["PH"],
        banks=BANKS["PH"],
        ewallets=(("GCASH", "GCash"),),
        brands={
            "bank": ("bdo", "bdo-online", "bpi", "bpi-online", "metrobank"),
            "post": ("phlpost", "lbc-express"),
            "utility": ("meralco", "meralco-bill"),
            "police": ("pnp-gov", "nbi-gov"),
            "tax": ("bir-gov", "bir-refund"),
            "shop": ("shopee-ph", "lazada-ph"),
            "wallet": ("gcash", "gcash-ph"),
        },
        orgs={
            "police": (("PNP", "the PNP"), ("NBI", "the NBI")),
            "tax": (("BIR", "the BIR"),),
            "post": (("PHLPost", "PHLPost"), ("LBC", "LBC")),
            "utility": (("Meralco", "Meralco"),),
            "bank": (("BDO", "BDO"), ("BPI", "BPI"), ("Metrobank", "Metrobank")),
            "shop": (("Shopee", "Shopee"), ("Lazada", "Lazada")),
            "wallet": (("GCash", "GCash"),),
        },
        channel_bias={"line": 0.05, "whatsapp": 0.5, "facebook": 2.5, "telegram": 1.0},
        names=(
            NamePattern(
                (
                    (
                        "Juan",
                        "Maria",
                        "Jose",
                        "Ana",
                        "Mark",
                        "Kristine",
                        "John Paul",
                        "Mary Grace",
                        "Rodel",
                        "Jennifer",
                        "Ramon",
                        "Liza",
                    ),
                    (
                        "Dela Cruz",
                        "Santos",
                        "Reyes",
                        "Garcia",
                        "Mendoza",
                        "Bautista",
                        "Villanueva",
                        "Ramos",
                        "Aquino",
                        "Castillo",
                        "Fernandez",
                        "Navarro",
                    ),
                )
            ),
        ),
    ),
}

VICTIM_COUNTRY_CODES: tuple[str, ...] = tuple(VICTIM_COUNTRIES)

# Thai reporters' e-mail addresses need a Latin spelling of their names.
THAI_ROMAN: Mapping[str, str] = {
    "สมชาย": "somchai",
    "สมศรี": "somsri",
    "วิไล": "wilai",
    "ประเสริฐ": "prasert",
    "อรุณี": "arunee",
    "สุนทร": "sunthorn",
    "กมล": "kamol",
    "จันทร์เพ็ญ": "chanpen",
    "ณัฐพล": "nattapon",
    "ธนพร": "thanaporn",
    "พิมพ์ชนก": "pimchanok",
    "ศิริพร": "siriporn",
    "อนันต์": "anan",
    "วีระ": "weera",
    "มาลี": "malee",
    "ปิยะ": "piya",
    "กิตติ": "kitti",
    "นงลักษณ์": "nongluck",
    "สุภาพร": "supaporn",
    "ชัยวัฒน์": "chaiwat",
    "ใจดี": "jaidee",
    "สุขสวัสดิ์": "suksawat",
    "ศรีสุข": "srisuk",
    "วงศ์ไทย": "wongthai",
    "แก้วมณี": "kaewmanee",
    "บุญมา": "boonma",
    "ทองดี": "thongdee",
    "รัตนพันธ์": "rattanapan",
    "พรหมมา": "promma",
    "สายทอง": "saithong",
    "มีสุข": "meesuk",
    "ชัยมงคล": "chaimongkol",
    "ศักดิ์ดี": "sakdee",
    "นาคสวัสดิ์": "naksawat",
    "อินทร์แก้ว": "inkaew",
}

# Reserved for documentation (RFC 2606), so no reporter address can reach a real mailbox.
REPORTER_MAIL_DOMAINS: tuple[str, ...] = ("example.com", "example.net", "example.org")

BASES: tuple[Base, ...] = (
    Base(
        "mm-kk-park",
        "MM",
        "Myawaddy (KK Park)",
        0.22,
        (("TH", 4.0), ("MY", 2.0), ("SG", 1.0), ("VN", 1.0), ("ID", 1.5), ("PH", 1.0)),
    ),
    Base(
        "mm-shwe-kokko",
        "MM",
        "Shwe Kokko",
        0.15,
        (("TH", 3.0), ("MY", 2.0), ("SG", 1.0), ("VN", 1.0), ("ID", 1.5), ("PH", 1.5)),
    ),
    Base(
        "kh-sihanoukville",
        "KH",
        "Sihanoukville",
        0.22,
        (("TH", 1.0), ("MY", 2.0), ("SG", 1.5), ("VN", 2.0), ("ID", 2.0), ("PH", 2.0)),
    ),
    Base("kh-bavet", "KH", "Bavet", 0.10, (("VN", 5.0), ("TH", 1.0), ("ID", 0.5))),
    Base("kh-poipet", "KH", "Poipet", 0.11, (("TH", 5.0), ("MY", 1.0), ("VN", 1.0))),
    Base(
        "la-golden-triangle",
        "LA",
        "Golden Triangle SEZ",
        0.20,
        (("TH", 3.0), ("VN", 2.0), ("MY", 1.0), ("SG", 1.0), ("ID", 1.0), ("PH", 1.0)),
    ),
)

# Kinds of operation; each runs a few scam types that share staff, scripts and infrastructure.
ARCHETYPES: tuple[tuple[float, tuple[tuple[str, float], ...]], ...] = (
    (
        0.25,
        (
            ("officials_impersonated", 5.0),
            ("bank_impersonation", 3.0),
            ("phishing_parcel_utility", 2.0),
        ),
    ),
    (0.20, (("investment", 5.0), ("romance", 3.0), ("recovery", 1.0))),
    (0.15, (("job_task", 5.0), ("investment", 2.0))),
    (
        0.15,
        (
            ("phishing_parcel_utility", 4.0),
            ("malicious_app", 3.0),
            ("bank_impersonation", 2.0),
            ("prize_qr", 2.0),
        ),
    ),
    (0.10, (("fake_seller", 4.0), ("loan", 3.0), ("hacked_account", 2.0))),
    (0.10, (("gambling_lure", 4.0), ("sextortion", 2.0))),
    (0.05, (("loan", 4.0), ("malicious_app", 2.0))),
)


@dataclass(frozen=True, slots=True)
class ScamProfile:
    """What reports of one scam type look like: how victims were reached, what they can name."""

    channels: Mapping[str, float]
    kinds: Mapping[str, float]  # indicator kinds: phone bank ewallet tron eth url domain ...
    no_loss: float  # share of reports filed without (or before) losing money
    loss_factor: float  # typical loss relative to the country's median
    themes: tuple[str, ...]  # words scammers put in handles and non-brand domains
    paths: tuple[str, ...]


SCAM_PROFILES: Mapping[str, ScamProfile] = {
    "officials_impersonated": ScamProfile(
        {"call": 6, "line": 2, "sms": 1, "whatsapp": 1},
        {"phone": 4, "bank": 4, "line": 1, "tron": 0.3, "ewallet": 0.4, "url": 0.4},
        0.25,
        4.0,
        ("police", "officer", "case", "legal", "aml", "verify"),
        ("/case/{num}", "/verify-id", "/aml/check?id={tok}"),
    ),
    "phishing_parcel_utility": ScamProfile(
        {"sms": 6, "email": 2, "line": 1, "facebook": 1},
        {"url": 5, "domain": 2, "phone": 2, "bank": 0.7, "email": 1},
        0.45,
        0.4,
        ("parcel", "post", "bill", "track", "delivery", "refund"),
        ("/track?id={tok}", "/parcel/{num}", "/pay", "/bill/pay", "/refund", "/redelivery"),
    ),
    "malicious_app": ScamProfile(
        {"sms": 3, "line": 3, "call": 3, "facebook": 2},
        {"url": 4, "phone": 2, "line": 2, "domain": 1, "bank": 1.5},
        0.3,
        3.0,
        ("app", "update", "service", "support", "gov"),
        ("/download/{word}.apk", "/app/{word}-update.apk", "/apk/install", "/install"),
    ),
    "bank_impersonation": ScamProfile(
        {"call": 5, "sms": 4, "line": 1},
        {"phone": 4, "url": 3, "bank": 2, "domain": 1},
        0.35,
        2.0,
        ("bank", "help", "support", "cs", "service", "care"),
        ("/login", "/secure/login", "/verify", "/ib/auth", "/update-kyc"),
    ),
    "investment": ScamProfile(
        {"facebook": 3, "line": 3, "telegram": 2, "whatsapp": 2, "web": 2},
        {"url": 3, "domain": 2, "tron": 3, "eth": 1, "bank": 3, "line": 1, "telegram": 2},
        0.15,
        8.0,
        (
            "vip",
            "signal",
            "invest",
            "trade",
            "profit",
            "usdt",
            "forex",
            "gold",
            "wealth",
            "capital",
            "mentor",
        ),
        ("/register?ref={tok}", "/invite/{tok}", "/m/index.html", "/login", "/h5/register"),
    ),
    "job_task": ScamProfile(
        {"line": 3, "telegram": 3, "whatsapp": 2, "sms": 2, "facebook": 2},
        {"line": 2, "telegram": 3, "bank": 4, "ewallet": 2, "tron": 1, "url": 1},
        0.2,
        2.0,
        ("job", "task", "work", "hr", "recruit", "agent", "mission", "bonus"),
        ("/task", "/register?code={tok}", "/h5/index.html", "/mission/{num}"),
    ),
    "loan": ScamProfile(
        {"facebook": 4, "sms": 2, "line": 2, "web": 2},
        {"url": 2, "bank": 3, "ewallet": 2, "line": 2, "phone": 2},
        0.35,
        0.5,
        ("loan", "cash", "credit", "fast", "money", "easy"),
        ("/apply", "/loan/apply", "/register", "/download/{word}.apk"),
    ),
    "fake_seller": ScamProfile(
        {"facebook": 6, "line": 2, "web": 2},
        {"bank": 5, "ewallet": 3, "phone": 2, "url": 1, "line": 1},
        0.2,
        0.15,
        ("shop", "store", "mall", "sale", "outlet", "deal"),
        ("/product/{num}", "/shop/{tok}", "/checkout"),
    ),
    "romance": ScamProfile(
        {"facebook": 3, "line": 2, "whatsapp": 2, "telegram": 2},
        {"line": 1, "telegram": 2, "tron": 3, "eth": 1, "bank": 3, "url": 1, "phone": 1},
        0.2,
        8.0,
        (
            "anna",
            "jessica",
            "emily",
            "linda",
            "david",
            "kevin",
            "michael",
            "sophia",
            "lisa",
            "mia",
            "ryan",
        ),
        ("/login", "/register?ref={tok}"),
    ),
    "hacked_account": ScamProfile(
        {"facebook": 6, "line": 4},
        {"bank": 5, "ewallet": 3, "line": 1},
        0.3,
        0.3,
        ("friend", "family", "help", "urgent"),
        ("/login", "/security-check"),
    ),
    "prize_qr": ScamProfile(
        {"sms": 3, "facebook": 3, "line": 2},
        {"url": 3, "phone": 2, "ewallet": 2, "bank": 2, "domain": 1},
        0.45,
        0.3,
        ("prize", "reward", "lucky", "gift", "promo"),
        ("/claim", "/lucky-draw", "/reward?id={tok}", "/promo"),
    ),
    "sextortion": ScamProfile(
        {"facebook": 4, "line": 2, "telegram": 2},
        {"line": 1, "telegram": 2, "bank": 3, "ewallet": 2, "tron": 1},
        0.4,
        1.0,
        ("angel", "baby", "cute", "sweet", "honey", "lily"),
        ("/video/{tok}", "/chat"),
    ),
    "gambling_lure": ScamProfile(
        {"web": 3, "facebook": 3, "line": 3, "telegram": 1},
        {"url": 4, "domain": 2, "bank": 3, "ewallet": 2, "line": 1},
        0.3,
        1.5,
        ("bet", "casino", "slot", "vip", "lucky", "win", "888", "royal"),
        ("/register?aff={tok}", "/slot", "/promo", "/m/login"),
    ),
    "recovery": ScamProfile(
        {"facebook": 3, "call": 2, "email": 3, "web": 1},
        {"phone": 2, "email": 3, "bank": 3, "url": 2},
        0.35,
        1.5,
        ("recovery", "legal", "lawyer", "refund", "fund", "asset"),
        ("/case-review", "/contact", "/claim-form"),
    ),
    "other": ScamProfile(
        {"call": 2, "sms": 1, "line": 1, "facebook": 2, "other": 2, "in_person": 1},
        {"phone": 2, "bank": 2, "url": 1},
        0.4,
        1.0,
        ("help", "service", "online", "pro"),
        ("/", "/login"),
    ),
}

TLDS_BRAND: tuple[str, ...] = ("com", "com", "com", "net", "net", "top", "xyz", "co", "online")
TLDS_OTHER: tuple[str, ...] = (
    "com",
    "com",
    "net",
    "vip",
    "top",
    "xyz",
    "cc",
    "online",
    "site",
    "shop",
    "app",
    "live",
    "asia",
)
BRAND_PATTERNS: tuple[str, ...] = (
    "{b}-secure-login",
    "{b}-verify",
    "{b}-{cc}-alert",
    "{b}-online-{cc}",
    "{b}-track",
    "{b}-update",
    "{b}-support",
    "my{b}-{w}",
    "{b}{n}",
    "{b}-{cc}",
    "{b}-refund",
    "{b}-service",
    "e-{b}",
    "{b}-{w}",
)
OTHER_PATTERNS: tuple[str, ...] = (
    "{a}{t}",
    "{a}-{t}",
    "{t}{a}{n}",
    "{a}-{t}-{cc}",
    "{t}{n}",
    "{t}-{a}",
)
DOMAIN_WORDS: tuple[str, ...] = (
    "login",
    "verify",
    "secure",
    "alert",
    "update",
    "help",
    "service",
    "app",
    "online",
    "portal",
)
ADJECTIVES: tuple[str, ...] = (
    "apex",
    "gold",
    "lotus",
    "siam",
    "orchid",
    "mekong",
    "royal",
    "prime",
    "vista",
    "nova",
    "zen",
    "dragon",
    "tiger",
    "jade",
    "pearl",
    "smart",
    "global",
    "asia",
    "star",
    "lucky",
    "sky",
)
EMAIL_LOCALS: tuple[str, ...] = (
    "support",
    "noreply",
    "admin",
    "service",
    "verify",
    "cs",
    "info",
    "helpdesk",
    "contact",
    "notice",
)

# Official numbers victims mention when telling how they checked; they belong to no operation.
# They come from the product's own warninglist (its official lists, for the victims'
# countries), so that the demo exercises it.
BENIGN_VALUES: tuple[tuple[str, str, str], ...] = tuple(
    ("phone", raw, f"{country}: {name}")
    for raw, country, name in official_phone_contacts()
    if country in VICTIM_COUNTRY_CODES
)

BENIGN_BY_COUNTRY: Mapping[str, tuple[str, ...]] = {
    code: tuple(raw for _, raw, description in BENIGN_VALUES if description.startswith(code))
    for code in VICTIM_COUNTRY_CODES
}
