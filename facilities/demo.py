"""Demo catalogue from public material: Saku's trial-living areas and facilities, Komoro, Tateshina, Matsue and
Takanabe.

Coordinates are those of the places (stations, districts, the hotels' addresses); prices, unit counts,
certificate numbers and photo URLs are illustrative. `seed()` creates or updates; running it twice adds nothing.
"""

from datetime import time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from .models import Area, Certification, Facility, Landmark, Municipality, OperatorOrganisation, Photo, Unit

MUNICIPALITIES = [
    # code, prefecture ja/en, name ja/kana/en
    ("202177", "長野県", "Nagano", "佐久市", "さくし", "Saku"),
    ("202088", "長野県", "Nagano", "小諸市", "こもろし", "Komoro"),
    ("203246", "長野県", "Nagano", "立科町", "たてしなまち", "Tateshina"),
    ("322016", "島根県", "Shimane", "松江市", "まつえし", "Matsue"),
    ("454028", "宮崎県", "Miyazaki", "高鍋町", "たかなべちょう", "Takanabe"),
]

SAKU_AREAS = [
    ("sakudaira-iwamurada-higashi", "佐久平・岩村田・東", "Sakudaira, Iwamurada and Higashi"),
    ("nakagomi-nozawa", "中込・野沢", "Nakagomi and Nozawa"),
    ("usuda", "臼田", "Usuda"),
    ("mochizuki-asashina", "望月・浅科", "Mochizuki and Asashina"),
]

LANDMARKS = [
    # code, kind, municipality, ja, en, latitude, longitude
    ("sakudaira-station", "station", "202177", "佐久平駅", "Sakudaira Station", 36.27796, 138.46424),
    ("iwamurada-station", "station", "202177", "岩村田駅", "Iwamurada Station", 36.26573, 138.46058),
    ("nakagomi-station", "station", "202177", "中込駅", "Nakagomi Station", 36.23348, 138.47758),
    ("usuda-station", "station", "202177", "臼田駅", "Usuda Station", 36.19671, 138.48010),
    ("komoro-station", "station", "202088", "小諸駅", "Komoro Station", 36.32556, 138.42581),
    ("lake-shirakaba", "landmark", "203246", "白樺湖", "Lake Shirakaba", 36.10373, 138.23783),
    ("matsue-station", "station", "322016", "松江駅", "Matsue Station", 35.46452, 133.06301),
    ("mihonoseki-port", "landmark", "322016", "美保関港", "Mihonoseki Port", 35.56295, 133.30608),
]

ORGANISATIONS = {
    "saku": ("佐久市 移住交流推進課", "iju@demo.otameshi.jp"),
    "hoshinomachi": ("ホシノマチ団地 管理事務所", "hoshinomachi@demo.otameshi.jp"),
    "komoro": ("小諸まちなかワーク合同会社", "komoro@demo.otameshi.jp"),
    "tateshina": ("たてしな観光協会", "tateshina@demo.otameshi.jp"),
    "matsue": ("松江テレワーク推進協議会", "matsue@demo.otameshi.jp"),
    "takanabe": ("高鍋町 お試し滞在住宅 管理事務所", "takanabe@demo.otameshi.jp"),
}

LODGING_TIMES = {"check_in_time": time(15, 0), "check_out_time": time(10, 0)}

FACILITIES: list[dict[str, Any]] = [
    {
        "key": "work-terrace-saku",
        "organisation": "saku",
        "municipality": "202177",
        "area": "sakudaira-iwamurada-higashi",
        "kind": Facility.Kind.COWORKING,
        "name_ja": "ワークテラス佐久",
        "name_en": "Work Terrace Saku",
        "description_ja": "佐久平駅から徒歩圏のコワーキングスペース。ドロップイン（1日利用）、個室ブース、"
        "時間貸しの会議室2室と月額プランがあります。",
        "description_en": "A coworking space within walking distance of Sakudaira Station: drop-in day passes, "
        "private booths, two meeting rooms by the hour and a monthly plan.",
        "postal_code": "385-0029",
        "address_ja": "長野県佐久市佐久平駅南11-10",
        "address_en": "11-10 Sakudaira-eki-minami, Saku, Nagano",
        "latitude": 36.27585,
        "longitude": 138.46493,
        "wifi_mbps": 1000,
        "private_booths": True,
        "external_monitors": True,
        "parking": True,
        "opening_hours_ja": "9:00〜21:00（年末年始を除く）",
        "opening_hours_en": "9:00–21:00 (closed over the New Year)",
        "units": [
            ("desk", "ドロップイン席", "Drop-in desk", 1, 20, 1000, 1, 30),
            ("meeting_room", "個室ブース", "Private booth", 1, 3, 2200, 1, 30),
            # The two meeting rooms are booked by the hour: demo_data/coworking.py.
        ],
        "certifications": [("shared_office_security", "star1", "DEMO-SOS-0001")],
    },
    {
        "key": "hoshinomachi",
        "organisation": "hoshinomachi",
        "municipality": "202177",
        "area": "usuda",
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "ホシノマチ団地",
        "name_en": "Hoshinomachi Danchi",
        "description_ja": "臼田の団地を改装した移住希望者向けの賃貸住宅。1週間から暮らしを試せます。"
        "入居者は共用オフィスを無料で使えます。",
        "description_en": "A renovated housing estate in Usuda with flats for people considering a move; "
        "try living here from one week. Residents use the shared office free of charge.",
        "postal_code": "384-0301",
        "address_ja": "長野県佐久市臼田2200",
        "address_en": "2200 Usuda, Saku, Nagano",
        "latitude": 36.19884,
        "longitude": 138.48224,
        "wifi_mbps": 300,
        "external_monitors": True,
        "kids_space": True,
        "parking": True,
        **LODGING_TIMES,
        # The shared office comes with the flat (free for residents, not sold to others): an amenity and its
        # hours, not a bookable unit.
        "opening_hours_ja": "共用オフィス（入居者は無料）9:00〜22:00",
        "opening_hours_en": "Shared office (free for residents) 9:00–22:00",
        "units": [
            ("house", "1LDK", "1LDK flat", 2, 3, 4500, 7, 30),
            ("house", "3DK", "3DK flat", 5, 2, 6500, 7, 30),
        ],
        "certifications": [],
    },
    {
        "key": "trial-home-iwamurada",
        "organisation": "saku",
        "municipality": "202177",
        "area": "sakudaira-iwamurada-higashi",
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "お試し住宅 岩村田",
        "name_en": "Trial home Iwamurada",
        "description_ja": "岩村田の商店街まで徒歩5分の一戸建て。佐久平駅へ車で5分。",
        "description_en": "A detached house five minutes' walk from the Iwamurada shopping street; "
        "five minutes by car to Sakudaira Station.",
        "postal_code": "385-0022",
        "address_ja": "長野県佐久市岩村田1100",
        "address_en": "1100 Iwamurada, Saku, Nagano",
        "latitude": 36.26412,
        "longitude": 138.45988,
        "wifi_mbps": 100,
        "parking": True,
        **LODGING_TIMES,
        "units": [("house", "一戸建て（3LDK）", "House (3LDK)", 6, 1, 3000, 2, 14)],
        "certifications": [],
    },
    {
        "key": "trial-home-nozawa",
        "organisation": "saku",
        "municipality": "202177",
        "area": "nakagomi-nozawa",
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "お試し住宅 野沢",
        "name_en": "Trial home Nozawa",
        "description_ja": "中込駅から徒歩10分。スーパーと小学校が近い住宅地。",
        "description_en": "Ten minutes' walk from Nakagomi Station, near a supermarket and a primary school.",
        "postal_code": "385-0053",
        "address_ja": "長野県佐久市野沢200",
        "address_en": "200 Nozawa, Saku, Nagano",
        "latitude": 36.22671,
        "longitude": 138.47502,
        "wifi_mbps": 100,
        "kids_space": True,
        "parking": True,
        **LODGING_TIMES,
        "units": [("house", "一戸建て（4DK）", "House (4DK)", 6, 1, 3000, 2, 14)],
        "certifications": [],
    },
    {
        "key": "trial-home-usuda",
        "organisation": "saku",
        "municipality": "202177",
        "area": "usuda",
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "お試し住宅 臼田",
        "name_en": "Trial home Usuda",
        "description_ja": "千曲川に近い平屋。星空がきれいな臼田で田舎暮らしを体験。",
        "description_en": "A single-storey house near the Chikuma River; country life under Usuda's starry skies.",
        "postal_code": "384-0301",
        "address_ja": "長野県佐久市臼田1500",
        "address_en": "1500 Usuda, Saku, Nagano",
        "latitude": 36.19512,
        "longitude": 138.47935,
        "wifi_mbps": 80,
        "parking": True,
        **LODGING_TIMES,
        "units": [("house", "平屋（3DK）", "Single-storey house (3DK)", 5, 1, 3000, 2, 14)],
        "certifications": [],
    },
    {
        "key": "trial-home-mochizuki",
        "organisation": "saku",
        "municipality": "202177",
        "area": "mochizuki-asashina",
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "お試し住宅 望月",
        "name_en": "Trial home Mochizuki",
        "description_ja": "中山道の宿場町・望月の古民家。畑付き。",
        "description_en": "An old farmhouse in Mochizuki, a post town of the Nakasendō, with a vegetable plot.",
        "postal_code": "384-2202",
        "address_ja": "長野県佐久市望月250",
        "address_en": "250 Mochizuki, Saku, Nagano",
        "latitude": 36.26655,
        "longitude": 138.36371,
        "wifi_mbps": 60,
        "parking": True,
        "car_share": True,
        **LODGING_TIMES,
        "units": [("house", "古民家（5K）", "Farmhouse (5K)", 8, 1, 3000, 2, 14)],
        "certifications": [],
    },
    {
        "key": "komoro-coworking",
        "organisation": "komoro",
        "municipality": "202088",
        "area": None,
        "kind": Facility.Kind.COWORKING,
        "name_ja": "小諸駅前コワーキング",
        "name_en": "Komoro Station Coworking",
        "description_ja": "小諸駅から徒歩1分。城下町を歩いて仕事の合間に一息。",
        "description_en": "One minute from Komoro Station; the castle town is right outside for a break.",
        "postal_code": "384-0025",
        "address_ja": "長野県小諸市相生町1-1",
        "address_en": "1-1 Aioicho, Komoro, Nagano",
        "latitude": 36.32602,
        "longitude": 138.42639,
        "wifi_mbps": 500,
        "private_booths": True,
        "open_24h": True,
        "opening_hours_ja": "会員は24時間利用可",
        "opening_hours_en": "Open around the clock for members",
        "units": [("desk", "フリー席", "Hot desk", 1, 12, 800, 1, 30)],
        "certifications": [("shared_office_security", "star1", "DEMO-SOS-0002", "expired")],
    },
    {
        "key": "tateshina-lakeside",
        "organisation": "tateshina",
        "municipality": "203246",
        "area": None,
        "kind": Facility.Kind.COWORKING,
        "name_ja": "白樺湖畔テレワークオフィス",
        "name_en": "Lake Shirakaba Telework Office",
        "description_ja": "湖を望む窓辺の席と個室。標高1,400mの涼しい夏。",
        "description_en": "Window desks and private rooms over the lake, 1,400 m up where summers stay cool.",
        "postal_code": "384-2305",
        "address_ja": "長野県北佐久郡立科町芦田八ケ野1596",
        "address_en": "1596 Ashida-Hakkeno, Tateshina, Nagano",
        "latitude": 36.10298,
        "longitude": 138.24012,
        "wifi_mbps": 300,
        "private_booths": True,
        "external_monitors": True,
        "parking": True,
        "opening_hours_ja": "8:00〜20:00",
        "opening_hours_en": "8:00–20:00",
        "units": [
            ("desk", "湖側の席", "Lakeside desk", 1, 10, 1500, 1, 30),
            ("meeting_room", "個室（4名）", "Private room (4 people)", 4, 2, 5000, 1, 30),
        ],
        "certifications": [],
    },
    {
        "key": "tateshina-camp-lodge",
        "organisation": "tateshina",
        "municipality": "203246",
        "area": None,
        "kind": Facility.Kind.TELEWORK_HOTEL,
        "name_ja": "立科 開発合宿ロッジ",
        "name_en": "Tateshina Development-Camp Lodge",
        "description_ja": "チームの開発合宿向けのロッジ。大部屋の作業スペースとホワイトボード、光回線。",
        "description_en": "A lodge for teams' development camps: a large workroom with whiteboards and fibre.",
        "postal_code": "384-2305",
        "address_ja": "長野県北佐久郡立科町芦田八ケ野1500",
        "address_en": "1500 Ashida-Hakkeno, Tateshina, Nagano",
        "latitude": 36.09876,
        "longitude": 138.24411,
        "wifi_mbps": 1000,
        "external_monitors": True,
        "open_24h": True,
        "parking": True,
        **LODGING_TIMES,
        "units": [
            ("room", "ツインルーム", "Twin room", 2, 6, 7000, 1, 14),
            ("house", "棟貸し（10名）", "Whole lodge (10 people)", 10, 1, 42000, 2, 14),
        ],
        "certifications": [],
    },
    {
        "key": "mihokan",
        "organisation": "matsue",
        "municipality": "322016",
        "area": None,
        "kind": Facility.Kind.TELEWORK_HOTEL,
        "name_ja": "美保館",
        "name_en": "Mihokan",
        "description_ja": "美保関の港に面した老舗旅館。テレワーク用の客室と共用ワークスペース。",
        "description_en": "A long-established inn on Mihonoseki harbour, with rooms set up for telework and a "
        "shared workspace.",
        "postal_code": "690-1501",
        "address_ja": "島根県松江市美保関町美保関570",
        "address_en": "570 Mihonoseki, Mihonoseki-cho, Matsue, Shimane",
        "latitude": 35.5625,
        "longitude": 133.3079,
        "wifi_mbps": 300,
        "private_booths": True,
        "parking": True,
        **LODGING_TIMES,
        "units": [("room", "和室（テレワーク対応）", "Japanese room (telework-ready)", 3, 5, 12000, 1, 14)],
        "certifications": [("safe_telework", "premium", "DEMO-ST-0101")],
    },
    {
        "key": "matsue-station-hotel",
        "organisation": "matsue",
        "municipality": "322016",
        "area": None,
        "kind": Facility.Kind.TELEWORK_HOTEL,
        "name_ja": "松江駅前テレワークホテル",
        "name_en": "Matsue Station Telework Hotel",
        "description_ja": "松江駅北口すぐ。全室にデスクと外部モニター。",
        "description_en": "By the north exit of Matsue Station; every room has a desk and an external monitor.",
        "postal_code": "690-0003",
        "address_ja": "島根県松江市朝日町480",
        "address_en": "480 Asahimachi, Matsue, Shimane",
        "latitude": 35.46561,
        "longitude": 133.06118,
        "wifi_mbps": 500,
        "external_monitors": True,
        **LODGING_TIMES,
        "units": [
            ("room", "シングル", "Single room", 1, 20, 8000, 1, 30),
            ("room", "ツイン", "Twin room", 2, 10, 13000, 1, 30),
        ],
        "certifications": [("safe_telework", "business", "DEMO-ST-0102")],
    },
    {
        "key": "matsue-lakeside-hotel",
        "organisation": "matsue",
        "municipality": "322016",
        "area": None,
        "kind": Facility.Kind.TELEWORK_HOTEL,
        "name_ja": "宍道湖畔ワーケーションホテル",
        "name_en": "Lake Shinji Workation Hotel",
        "description_ja": "宍道湖の夕日を望むホテル。セキュリティ認証を受けた共用オフィスを併設。",
        "description_en": "A hotel facing Lake Shinji's sunsets, with a security-certified shared office.",
        "postal_code": "690-0852",
        "address_ja": "島根県松江市千鳥町40",
        "address_en": "40 Chidoricho, Matsue, Shimane",
        "latitude": 35.46838,
        "longitude": 133.04655,
        "wifi_mbps": 500,
        "private_booths": True,
        "external_monitors": True,
        "parking": True,
        **LODGING_TIMES,
        "units": [("room", "レイクビュー ダブル", "Lake-view double", 2, 8, 15000, 1, 30)],
        "certifications": [("shared_office_security", "star2", "DEMO-SOS-0103")],
    },
    {
        # Takanabe's trial stays: apply before the visit, meet the town's migration staff, answer a survey.
        "key": "takanabe-trial-home",
        "organisation": "takanabe",
        "municipality": "454028",
        "area": None,
        "kind": Facility.Kind.TRIAL_HOUSING,
        "name_ja": "高鍋町 お試し滞在住宅",
        "name_en": "Takanabe trial-stay home",
        "description_ja": "高鍋町役場の近くの一戸建て。町の移住担当者との面談と、滞在後のアンケートをお願いしています。",
        "description_en": "A house near Takanabe town hall. Guests meet the town's migration staff during the stay "
        "and answer a survey afterwards.",
        "postal_code": "884-0002",
        "address_ja": "宮崎県児湯郡高鍋町大字北高鍋",
        "address_en": "Kita-Takanabe, Takanabe, Koyu District, Miyazaki",
        "latitude": 32.12834,
        "longitude": 131.50377,
        "wifi_mbps": 100,
        "parking": True,
        **LODGING_TIMES,
        "units": [("house", "一戸建て（3LDK）", "House (3LDK)", 5, 1, 5000, 2, 14)],
        "certifications": [],
    },
]


def _municipalities() -> dict[str, Municipality]:
    result = {}
    for code, prefecture_ja, prefecture_en, name_ja, name_kana, name_en in MUNICIPALITIES:
        result[code], _ = Municipality.objects.update_or_create(
            code=code,
            defaults={
                "prefecture_ja": prefecture_ja,
                "prefecture_en": prefecture_en,
                "name_ja": name_ja,
                "name_kana": name_kana,
                "name_en": name_en,
            },
        )
    return result


def _certify(facility: Facility, scheme: str, level: str, number: str, state: str = "valid") -> None:
    today = timezone.localdate()
    certified_on = today - timedelta(days=430 if state == "expired" else 60)
    Certification.objects.update_or_create(
        facility=facility,
        certificate_number=number,
        defaults={
            "scheme": scheme,
            "level": level,
            "certified_on": certified_on,
            "valid_until": certified_on + timedelta(days=364),
        },
    )


@transaction.atomic
def seed() -> dict[str, OperatorOrganisation]:
    """Create or update the demo catalogue; returns the operator organisations by key."""
    municipalities = _municipalities()
    saku = municipalities["202177"]
    areas = {}
    for slug, name_ja, name_en in SAKU_AREAS:
        areas[slug], _ = Area.objects.update_or_create(
            municipality=saku, slug=slug, defaults={"name_ja": name_ja, "name_en": name_en}
        )
    for code, kind, town_code, name_ja, name_en, latitude, longitude in LANDMARKS:
        Landmark.objects.update_or_create(
            code=code,
            defaults={
                "kind": kind,
                "municipality": municipalities[town_code],
                "name_ja": name_ja,
                "name_en": name_en,
                "latitude": latitude,
                "longitude": longitude,
            },
        )
    organisations = {}
    for key, (name, email) in ORGANISATIONS.items():
        organisations[key], _ = OperatorOrganisation.objects.update_or_create(
            contact_email=email, defaults={"name": name}
        )
    for spec in FACILITIES:
        spec = dict(spec)
        key = spec.pop("key")
        units = spec.pop("units")
        certifications = spec.pop("certifications")
        organisation = organisations[spec.pop("organisation")]
        municipality = municipalities[spec.pop("municipality")]
        area = areas.get(spec.pop("area"))
        facility, _ = Facility.objects.update_or_create(
            municipality=municipality,
            name_ja=spec.pop("name_ja"),
            defaults={
                **spec,
                "operator": organisation,
                "area": area,
                "website": f"https://demo.otameshi.jp/facilities/{key}/",
            },
        )
        for position in range(2):
            Photo.objects.update_or_create(
                facility=facility,
                position=position,
                defaults={
                    "url": f"https://demo.otameshi.jp/photos/{key}-{position + 1}.jpg",
                    "caption_ja": ("外観", "室内")[position],
                    "caption_en": ("Outside", "Inside")[position],
                },
            )
        for unit_type, name_ja, name_en, capacity, count, price, min_nights, max_nights in units:
            Unit.objects.update_or_create(
                facility=facility,
                name_ja=name_ja,
                defaults={
                    "unit_type": unit_type,
                    "name_en": name_en,
                    "capacity": capacity,
                    "count": count,
                    "price_yen": price,
                    "min_nights": min_nights,
                    "max_nights": max_nights,
                },
            )
        for certification in certifications:
            _certify(facility, *certification)
    return organisations
