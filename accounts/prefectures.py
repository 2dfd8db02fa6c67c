"""The 47 prefectures in the order of their codes (JIS X 0401: 北海道 01 ... 沖縄県 47), and local-government
codes' check digit."""

PREFECTURES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]


def prefecture_code(name: str) -> str:
    return f"{PREFECTURES.index(name) + 1:02d}"


def municipality_code_is_valid(code: str) -> bool:
    """Six digits: a prefecture's two, three more, and the check digit of 全国地方公共団体コード
    (11 minus the weighted sum 6,5,4,3,2 modulo 11, last digit only): Saku 20217 -> 7."""
    if len(code) != 6 or not code.isascii() or not code.isdigit() or not 1 <= int(code[:2]) <= len(PREFECTURES):
        return False
    remainder = sum(int(digit) * weight for digit, weight in zip(code[:5], (6, 5, 4, 3, 2), strict=True)) % 11
    return int(code[5]) == (11 - remainder) % 10
