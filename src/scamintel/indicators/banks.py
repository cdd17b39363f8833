"""Banks whose names are recognised in front of an account number, by country.

First cut: the banks scam reports in the region name most. Each code is what the canonical
value ``CC:<CODE>:<digits>`` carries; the names after it are other ways people write the same
bank (matched ignoring case, spaces, dashes and dots, with or without the word "bank" or
"ธนาคาร"). The code itself is always recognised and need not be repeated.
"""

from __future__ import annotations

from typing import Final

BANKS: Final[dict[str, dict[str, tuple[str, ...]]]] = {
    "TH": {
        "KBANK": ("Kasikorn", "Kasikornbank", "Kasikorn Bank", "K-Bank", "กสิกร", "กสิกรไทย"),
        "SCB": ("Siam Commercial", "Siam Commercial Bank", "ไทยพาณิชย์"),
        "BBL": ("Bangkok Bank", "บัวหลวง", "กรุงเทพ"),
        "KTB": ("Krungthai", "Krung Thai", "Krungthai Bank", "กรุงไทย"),
        "BAY": ("Krungsri", "Bank of Ayudhya", "กรุงศรี", "กรุงศรีอยุธยา"),
        "TTB": ("TMBThanachart", "TMB Thanachart", "ทีทีบี", "ทหารไทยธนชาต"),
        "GSB": ("Government Savings Bank", "ออมสิน"),
    },
    "MY": {
        "MAYBANK": ("Malayan Banking", "Maybank2u"),
        "CIMB": ("CIMB Bank", "CIMB Clicks"),
        "PBB": ("Public Bank", "PBe"),
    },
    "SG": {
        "DBS": ("DBS Bank", "POSB"),
        "OCBC": ("OCBC Bank",),
        "UOB": ("United Overseas Bank",),
    },
    "VN": {
        "VCB": ("Vietcombank",),
        "TCB": ("Techcombank",),
        "MB": ("MBBank", "MB Bank", "Military Bank"),
    },
    "ID": {
        "BCA": ("Bank Central Asia",),
        "BRI": ("Bank Rakyat Indonesia",),
        "MANDIRI": ("Bank Mandiri",),
        "BNI": ("Bank Negara Indonesia",),
    },
    "PH": {
        "BDO": ("BDO Unibank", "Banco de Oro"),
        "BPI": ("Bank of the Philippine Islands",),
        "METROBANK": ("Metropolitan Bank", "MBTC"),
    },
    "KH": {
        "ABA": ("Advanced Bank of Asia",),
        "ACLEDA": (),
    },
    "MM": {
        "KBZ": ("Kanbawza", "Kanbawza Bank"),
        "CB": ("CB Bank", "Co-operative Bank", "Cooperative Bank"),
        "AYA": ("Ayeyarwady Bank", "Ayeyarwady"),
    },
    "LA": {
        "BCEL": ("Banque pour le Commerce Exterieur Lao",),
    },
}
