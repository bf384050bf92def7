"""Any script to lowercase ASCII, and spelling-variant skeletons that make the usual romanizations meet.

Cyrillic (Russian, Ukrainian, Belarusian, and the letters of Kazakh, Mongolian, Serbian and
Macedonian) and Hangul are romanized by tables in this module: they are the scripts most names on
the lists come in, and the tables let us choose the spelling that the lists use (Sergey, not ISO 9's
Sergej with a caron). Every other script (Arabic, Persian, Hebrew, Greek, Chinese, Thai, Georgian,
Armenian, Devanagari...) goes through ICU's `Any-Latin; Latin-ASCII` transliterator (pyicu): ICU is
maintained by the Unicode consortium, covers every script in CLDR, runs in-process in C++, and
needs no data files of ours. Latin letters with diacritics go through ICU's `Latin-ASCII`
(ß -> ss, ø -> o, ł -> l, æ -> ae).

Romanizations disagree (Sergey / Sergei / Serguei / Sergej, Aksyonov / Aksenov / Aksjonov,
Yevgeny / Evgeniy / Evgenij): `skeleton()` rewrites a romanized token so that those variants become
the same string. `consonants()` keeps only the consonants of a skeleton, which is how a name written
in a script without vowels (Arabic, Hebrew) meets its Latin spelling (mhmd / Mohamed).

The scholarly, ISO 9 and Czech-style romanizations of Cyrillic write ч ш ж with carons: they
become ch, sh, zh, as the lists write them (Medvedčuk / Medvedchuk). `vowel_gaps()` keeps which
long vowels an abjad spelling writes between its consonants (محمود mhmwd: Mahmud, not Mohammad).
Names in kanji also get their Japanese reading through pykakasi (`japanese_reading`), and names in
hanja that may be Korean their Korean reading in Hangul through pyhanja (`korean_reading`: 金正恩 ->
김정은, then romanized as any Hangul: Kim Jong Un), each as an extra form: ICU reads Chinese
characters in Mandarin only (jin zhengen). pyhanja (MIT) carries libhangul's hanja dictionary and
reads a character in a fraction of a microsecond; the family names, whose reading as a family name
is not always the character's common one (金 김, not 금), are a table of ours.

Korean and Chinese given names are one token (Kim Jeongeun, Xi Jinping, 수빈 최 -> subin choi), as
they are usually romanized; the matcher still meets the split spellings (Kim Jong Un, Ri Sol Ju) by
merging neighbours. Belarusian surnames in -au/-ou meet Russian ones in -ov (Hladkou / Gladkov).

Results are cached; ICU transliterators are created once per process and never pickled.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache
from typing import Any

__all__ = [
    "ABJAD_SCRIPTS",
    "consonants",
    "j_consonant_skeleton",
    "japanese_reading",
    "korean_reading",
    "long_vowels_agree",
    "persian_reading",
    "romanize_given_name",
    "romanize_word",
    "script_of",
    "simplified_han",
    "skeleton",
    "syllable_count",
    "urdu_reading",
    "vowel_gaps",
]

# Scripts whose ordinary spelling omits most vowels: their names are compared on consonants.
ABJAD_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Thai"})

_CYRILLIC: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
    # Ukrainian, Belarusian
    "і": "i", "ї": "yi", "є": "ye", "ґ": "g", "ў": "u",
    # Kazakh, Kyrgyz, Mongolian, Tatar, Bashkir, Tajik
    "ә": "a", "ғ": "gh", "қ": "q", "ң": "ng", "ө": "o", "ұ": "u", "ү": "u", "һ": "h", "ҳ": "h",
    "ӣ": "i", "ӯ": "u", "ҷ": "j", "ҫ": "s", "ӑ": "a", "ӗ": "e", "ҙ": "z", "ҡ": "q",
    # Serbian, Macedonian
    "ј": "j", "љ": "lj", "њ": "nj", "ћ": "c", "ђ": "dj", "џ": "dz", "ѓ": "gj", "ќ": "kj", "ѕ": "dz",
}  # fmt: skip

# Ukrainian and Belarusian write the sound of Russian "г" as h (Serhiy, not Sergiy).
_UKRAINIAN_MARKERS = frozenset("іїєґў")

# Hangul: Revised Romanization, syllable by syllable.
_HANGUL_INITIAL = (
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
)
_HANGUL_VOWEL = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu",
    "eu", "ui", "i",
)  # fmt: skip
_HANGUL_FINAL = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t",
    "ng", "t", "t", "k", "t", "p", "t",
)  # fmt: skip
# The common Korean family names have settled spellings that Revised Romanization does not give.
_KOREAN_SURNAMES: dict[str, str] = {
    "김": "kim", "이": "lee", "박": "park", "최": "choi", "정": "jung", "강": "kang", "조": "cho",
    "윤": "yoon", "장": "jang", "임": "lim", "한": "han", "오": "oh", "서": "seo", "신": "shin",
    "권": "kwon", "황": "hwang", "안": "ahn", "송": "song", "류": "ryu", "유": "yoo", "홍": "hong",
    "전": "jeon", "고": "ko", "문": "moon", "양": "yang", "손": "son", "배": "bae", "백": "baek",
    "허": "heo", "노": "noh", "리": "ri", "로": "ro",
}  # fmt: skip


def script_of(char: str) -> str:
    """The ISO 15924 code of a letter's script, from its Unicode name (enough for routing)."""
    o = ord(char)
    if o < 0x250:
        return "Latn"
    if 0x370 <= o < 0x400:
        return "Grek"
    if 0x400 <= o < 0x530 or 0x1C80 <= o < 0x1C90 or 0x2DE0 <= o < 0x2E00 or 0xA640 <= o < 0xA6A0:
        return "Cyrl"
    if 0x530 <= o < 0x590:
        return "Armn"
    if 0x590 <= o < 0x600 or 0xFB1D <= o < 0xFB50:
        return "Hebr"
    if 0x600 <= o < 0x700 or 0x750 <= o < 0x780 or 0x8A0 <= o < 0x900 or 0xFB50 <= o < 0xFE00:
        return "Arab"
    if 0xFE70 <= o < 0xFF00:
        return "Arab"
    if 0x700 <= o < 0x750:
        return "Syrc"
    if 0x780 <= o < 0x7C0:
        return "Thaa"
    if 0xE00 <= o < 0xE80:
        return "Thai"
    if 0xAC00 <= o < 0xD7A4 or 0x1100 <= o < 0x1200 or 0x3130 <= o < 0x3190:
        return "Hang"
    if 0x3040 <= o < 0x3100:
        return "Kana"
    if 0x4E00 <= o < 0xA000 or 0x3400 <= o < 0x4DC0 or 0xF900 <= o < 0xFB00:
        return "Hani"
    if 0x1E00 <= o < 0x1F00:
        return "Latn"
    if 0x900 <= o < 0xE00:
        return "Indic"
    return "Zyyy" if not unicodedata.category(char).startswith("L") else "Other"


def word_script(word: str) -> str:
    """The script of most letters of a word (Latin look-alikes inside Cyrillic words count as Cyrillic)."""
    counts: dict[str, int] = {}
    for ch in word:
        if ch.isalpha():
            s = script_of(ch)
            counts[s] = counts.get(s, 0) + 1
    if not counts:
        return "Zyyy"
    if "Cyrl" in counts:
        return "Cyrl"
    return max(counts, key=lambda k: counts[k])


_icu_cache: dict[str, Any] = {}


def _icu(rules: str) -> Any:
    tr = _icu_cache.get(rules)
    if tr is None:
        import icu  # pyicu; imported lazily so that importing the domain stays cheap

        tr = icu.Transliterator.createInstance(rules)
        _icu_cache[rules] = tr
    return tr


def _ascii_only(text: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFKD", text):
        if ch.isascii():
            if ch.isalnum():
                out.append(ch.lower())
            elif ch in " -":
                out.append(" ")
    return "".join(out)


def _cyrillic(word: str) -> str:
    ukrainian = any(c in _UKRAINIAN_MARKERS for c in word)
    out: list[str] = []
    for i, ch in enumerate(word):
        if ch == "г" and ukrainian:
            out.append("h")
            continue
        if ch == "ь" and word[i + 1 : i + 2] == "о":
            out.append("y")  # Ukrainian ьо is yo (Аксьонов)
            continue
        t = _CYRILLIC.get(ch)
        if t is None:
            t = _latin(ch) if script_of(ch) == "Latn" else ""
        out.append(t)
    return "".join(out)


def _hangul_syllable(ch: str) -> str:
    idx = ord(ch) - 0xAC00
    if not 0 <= idx < 11172:
        return _icu_word(ch)
    return _HANGUL_INITIAL[idx // 588] + _HANGUL_VOWEL[(idx % 588) // 28] + _HANGUL_FINAL[idx % 28]


def _hangul(word: str) -> str:
    """A Korean name written as one word: the family name (in its usual spelling) and the given
    name as one token (Kim Jeongeun), as Korean given names are romanized (Jong-un, Jongun).
    A two-syllable word is a family and a given name when it starts with a family name."""
    syllables = [c for c in word if 0xAC00 <= ord(c) < 0xD7A4]
    if not syllables:
        return _icu_word(word)
    if len(syllables) == 1:
        return _KOREAN_SURNAMES.get(syllables[0], _hangul_syllable(syllables[0]))
    if len(syllables) == 2 and syllables[0] not in _KOREAN_SURNAMES:
        return "".join(_hangul_syllable(c) for c in syllables)
    family = _KOREAN_SURNAMES.get(syllables[0], _hangul_syllable(syllables[0]))
    return family + " " + "".join(_hangul_syllable(c) for c in syllables[1:])


def _han(word: str) -> str:
    """Chinese characters in pinyin: a name of three characters or more as the family name and the
    given name in one token (Xi Jinping); two characters as two tokens (Wang Qiang)."""
    syllables = _icu_word(word).split()
    if len(syllables) <= 2:
        return " ".join(syllables)
    return syllables[0] + " " + "".join(syllables[1:])


@lru_cache(maxsize=50_000)
def romanize_given_name(word: str) -> tuple[str, str]:
    """(script, romanization) of a word known to be a given name: a Korean or Chinese one is one
    token (수빈 -> subin, 玉华 -> yuhua); other scripts as `romanize_word`."""
    script = word_script(word)
    if script == "Hang":
        syllables = [c for c in word if 0xAC00 <= ord(c) < 0xD7A4]
        if syllables and len(syllables) == len(word):
            return script, "".join(_hangul_syllable(c) for c in syllables)
    if script == "Hani":
        return script, "".join(_icu_word(word).split())
    return romanize_word(word)


_kakasi: list[Any] = []  # the pykakasi converter, made on first use (its dictionaries load in a second)
_JAPANESE_LONG = re.compile(r"(?<=[^aeiou])(?:ou|oo)(?![aeiou])|uu")


@lru_cache(maxsize=10_000)
def japanese_reading(text: str) -> str | None:
    """The Japanese reading of a name written in kanji (山田太郎 -> yamada taro), in Hepburn without
    the long-vowel marks the lists leave out (Tarou, Tarō -> Taro); None when the text is not kanji
    (with kana), or pykakasi is not installed. ICU reads Chinese characters only in Mandarin
    (shan tian tai lang), and kana alone it reads already. The reading is a dictionary's best guess:
    a name may be read otherwise, so it is an extra form of the name, never a replacement."""
    letters = [ch for ch in text if ch.isalpha()]
    if not letters or not all(script_of(ch) in ("Hani", "Kana") for ch in letters):
        return None
    if not any(script_of(ch) == "Hani" for ch in letters):
        return None
    if not _looks_japanese(text, letters):
        return None
    if not _kakasi:
        try:
            import pykakasi
        except ImportError:  # pragma: no cover - a dependency; without it kanji are read in Mandarin
            return None
        _kakasi.append(pykakasi.kakasi())  # type: ignore[no-untyped-call]
    words: list[str] = []
    for part in _kakasi[0].convert(text):
        w = str(part["hepburn"]).strip()
        if not w and any(ch.isalpha() for ch in str(part["orig"])):
            return None  # a character it cannot read (Chinese simplified forms: 习)
        if w:
            words.append(_JAPANESE_LONG.sub(lambda m: m.group(0)[0], w))
    return " ".join(words) or None


# The common Korean family names in hanja, with their reading as a family name, which is not always
# the character's common reading (金 is 금 in a word, 김 as a family name; 車 거/차, 蔡 살/채).
# The Hangul then goes the way of any Korean name: `_KOREAN_SURNAMES` spells it (이 lee, 임 lim,
# 류 ryu, 노 noh) and the lexicon's Korean family names group its spellings (lee ri rhee yi: North
# Korean lists write 李 Ri, 林 Rim, 柳 Ryu, 盧 Ro), so one reading per family name is enough.
_KOREAN_HANJA_FAMILY_NAMES: dict[str, str] = {
    "金": "김", "李": "이", "朴": "박", "崔": "최", "鄭": "정", "姜": "강", "趙": "조", "尹": "윤",
    "張": "장", "林": "임", "韓": "한", "吳": "오", "申": "신", "徐": "서", "權": "권", "黃": "황",
    "安": "안", "宋": "송", "柳": "류", "全": "전", "洪": "홍", "高": "고", "文": "문", "梁": "양",
    "孫": "손", "裵": "배", "白": "백", "許": "허", "劉": "유", "南": "남", "沈": "심", "盧": "노",
    "河": "하", "丁": "정", "成": "성", "車": "차", "具": "구", "郭": "곽", "禹": "우", "朱": "주",
    "任": "임", "羅": "나", "辛": "신", "閔": "민", "兪": "유", "池": "지", "陳": "진", "嚴": "엄",
    "元": "원", "蔡": "채", "千": "천", "方": "방", "玄": "현", "孔": "공", "康": "강", "咸": "함",
    "卞": "변", "廉": "염", "楊": "양", "邊": "변", "呂": "여", "秋": "추", "魯": "노", "都": "도",
    "石": "석", "蘇": "소", "愼": "신", "馬": "마", "薛": "설", "吉": "길", "宣": "선", "延": "연",
    "周": "주", "魏": "위", "表": "표", "明": "명", "奇": "기", "房": "방", "潘": "반", "王": "왕",
    "琴": "금", "玉": "옥", "陸": "육", "孟": "맹", "印": "인", "諸": "제", "卓": "탁", "秦": "진",
    "魚": "어", "殷": "은", "片": "편", "龍": "용", "余": "여", "芮": "예", "慶": "경", "奉": "봉",
    "睦": "목", "邵": "소", "史": "사", "夫": "부", "程": "정", "賓": "빈", "太": "태", "皮": "피",
    "承": "승", "桂": "계", "智": "지",
    "南宮": "남궁", "皇甫": "황보", "諸葛": "제갈", "鮮于": "선우", "司空": "사공", "西門": "서문",
    "獨孤": "독고", "東方": "동방",
}  # fmt: skip

_hanja: list[Any] = []  # pyhanja's dictionary, loaded on first use (in half a second)


def _hanja_syllable(ch: str) -> str | None:
    """The Hangul reading of one Chinese character (正 -> 정), None when pyhanja does not know it
    or is not installed."""
    if not _hanja:
        try:
            with warnings.catch_warnings():  # pyhanja 0.0.6 finds its data with importlib.resources.path
                warnings.simplefilter("ignore", DeprecationWarning)
                import pyhanja

                dictionary = pyhanja.default_dict()
        except ImportError:  # pragma: no cover - a dependency; without it hanja are read in Mandarin
            return None
        _hanja.append(dictionary)
    try:
        reading = str(_hanja[0].query(ch).value)
    except IndexError:  # a character it does not know
        return None
    return reading if len(reading) == 1 and 0xAC00 <= ord(reading) < 0xD7A4 else None


@lru_cache(maxsize=10_000)
def korean_reading(text: str) -> str | None:
    """The Korean reading of a name written in Chinese characters (hanja), in Hangul (金正恩 ->
    김정은, 南宮 玉 -> 남궁 옥), for the Hangul romanization to take over; None when the name may not
    be Korean. It may be when it is all Han, a family name of the table (read as a family name: 金
    is 김) and a given name of one or two characters (in simplified or traditional characters), as
    one word or two (习近平 is not: 习 is no Korean family name). ICU reads Chinese characters in
    Mandarin only (金正恩 jin zhengen). Chinese names pass too (李明 is also 이명, 王伟 왕위): the
    reading is an extra form of the name,
    never a replacement. The given name is read as pyhanja reads each character (龍 룡: North Korean
    spellings keep the initial r, Ryong)."""
    text = unicodedata.normalize("NFC", text)
    parts = text.split()
    if not 1 <= len(parts) <= 2 or not all(script_of(ch) == "Hani" for p in parts for ch in p):
        return None
    if len(parts) == 2:
        family, given = parts
        if family not in _KOREAN_HANJA_FAMILY_NAMES:
            return None
    else:
        word = parts[0]
        family = word[:2] if word[:2] in _KOREAN_HANJA_FAMILY_NAMES and len(word) >= 3 else word[:1]
        given = word[len(family) :]
        if family not in _KOREAN_HANJA_FAMILY_NAMES:
            return None
    if not 1 <= len(given) <= 2:
        return None
    # Chinese sources write Korean names in simplified characters too (金铁三 Kim Chol Sam): the
    # given name is read in its traditional form (鐵 철); not the family name, as 朴 (Park) would
    # become 樸
    given = str(_icu("Simplified-Traditional").transliterate(given))
    syllables = [_hanja_syllable(ch) for ch in given]
    if any(s is None for s in syllables):
        return None
    reading = "".join(s for s in syllables if s)
    surname = _KOREAN_HANJA_FAMILY_NAMES[family]
    if len(parts) == 2 or len(family) == 2:
        return surname + " " + reading  # 남궁옥 would be read as 남 and 궁옥
    return surname + reading


def _looks_japanese(text: str, letters: list[str]) -> bool:
    """Kanji that may be a Japanese name: with kana, or four characters or more written as one
    word (山田太郎, 高市早苗), or parts of two characters or more (山田 太郎). Chinese names are
    mostly two or three characters with a one-character surname (李明, 王伟, 成 董): reading them
    in Japanese only makes up names nobody bears (sei kun)."""
    if any(script_of(ch) == "Kana" for ch in letters):
        return True
    parts = [p for p in text.split() if p]
    if len(parts) == 1:
        return len(letters) >= 4
    return all(sum(ch.isalpha() for ch in p) >= 2 for p in parts)


# Persian and Urdu say ض ظ ذ as z, ث as s and ق as gh, and their Latin spellings write them so
# (رضا Reza, فضل Fazal, قرصی Ghorsi) where Arabic ones write d, th and q (Rida, Fadl, Qursi); and
# they say a final ta marbuta as -eh (فاطمة Fatemeh)
_PERSIAN_SOUNDS = str.maketrans(
    {
        "\u0636": "\u0632",
        "\u0638": "\u0632",
        "\u0630": "\u0632",
        "\u062b": "\u0633",
        "\u0642": "\u063a",
        "\u0629": "\u0647",
    }
)


def persian_reading(text: str) -> str | None:
    """The name as Persian says its letters ض ظ ذ ث ق (z, z, z, s, gh), written back in the Arabic
    script; None when it has none of them. An extra form of the name, as its Latin spellings
    follow the one or the other."""
    if not any("\u0600" <= ch <= "\u06ff" for ch in text):
        return None
    other = text.translate(_PERSIAN_SOUNDS)
    return other if other != text else None


_URDU_SOUNDS = str.maketrans({k: v for k, v in _PERSIAN_SOUNDS.items() if k != ord("\u0642")})


def urdu_reading(text: str) -> str | None:
    """The name as Urdu and Pashto say ض ظ ذ ث (z, z, z, s) but, unlike Persian, keep ق a q
    (ثاقب Saqib, not Sagheb); None when it is the Persian reading or the name itself."""
    if "\u0642" not in text or not any(ch in text for ch in "\u0636\u0638\u0630\u062b\u0629"):
        return None
    return text.translate(_URDU_SOUNDS)


@lru_cache(maxsize=20_000)
def simplified_han(text: str) -> str:
    """Chinese characters in their simplified forms (習近平 -> 习近平), for comparing them as written."""
    return str(_icu("Traditional-Simplified").transliterate(text))


def _arabic_latin(word: str) -> str:
    """An Arabic-script word in ICU's romanization, with ذ as z (which `consonants` makes of a
    Latin dh: Dhabih / Zabih), so that a dh is only ever د and ه (زاده zadh, Zadeh)."""
    return _latin(str(_icu("Any-Latin").transliterate(word)).replace("d\u1e96", "z"))


def _icu_word(word: str) -> str:
    return _latin(str(_icu("Any-Latin").transliterate(word)))  # Hebrew ש is š: sh, not s


# The scholarly, ISO 9, Czech-style and Baltic romanizations of Cyrillic write ч ш ж щ with a caron
# or circumflex (Medvedčuk, Šojgu, Ŝerbina): they are the sounds English spells ch, sh, zh, shch,
# which is how the lists write them (Latin-ASCII would give c, s, z). So is the s with a cedilla or
# comma of Turkish, Azerbaijani and Romanian (Şahin, Ştefan), and of ICU's Hebrew (ש).
_CARONS = str.maketrans({"č": "ch", "š": "sh", "ž": "zh", "ŝ": "shch", "ĉ": "ch", "ǆ": "dzh",
                         "Č": "ch", "Š": "sh", "Ž": "zh", "Ŝ": "shch", "Ĉ": "ch",
                         "ş": "sh", "ș": "sh", "Ş": "sh", "Ș": "sh"})  # fmt: skip


_ESTONIAN_CH = re.compile("[tT][šŠ]")  # Estonian and Finnish write ч as tš (Botšarov, Tšernov)


def _latin(word: str) -> str:
    if word.isascii():
        return _ascii_only(word)
    word = _ESTONIAN_CH.sub("ch", word)
    return _ascii_only(str(_icu("Latin-ASCII").transliterate(word.translate(_CARONS))))


@lru_cache(maxsize=200_000)
def romanize_word(word: str) -> tuple[str, str]:
    """(script, lowercase ASCII romanization) of one word; the romanization may contain spaces."""
    script = word_script(word)
    if script == "Latn" or script == "Zyyy":
        return script, _latin(word)
    if script == "Cyrl":
        return script, _cyrillic(word.lower())
    if script == "Hang":
        return script, _hangul(word)
    if script == "Hani":
        return script, _han(word)
    if script == "Arab":
        word = word.translate(_URDU_PASHTO)
    if script == "Arab" and word.endswith("\u0649"):
        word = word[:-1] + "\u0627"  # a final alif maqsura is a long a: مثنى Muthanna, موسى Musa
    if script == "Arab" and word.endswith("\u0629"):
        # a final ta marbuta is said a: أسامة Usama, حمزة Hamza, فاطمة Fatima (the Persian reading
        # writes it h: Fatemeh, Usamah)
        word = word[:-1] + "\u0627"
    if script == "Arab" and word.startswith(_ABD_AL) and not word.replace("\u0651", "").startswith(_ABDULLAH):
        # Abd al- written joined (عبدالقدیر): two words, as عبد القدیر, so that it is Abdul Qadir
        # (عبدالله and the names made from it, عبداللهی Abdollahi, stay one word); Abu al-
        # likewise (أبواليزيد Abu al-Yazid)
        return script, "bd " + romanize_word(word[3:])[1]
    if script == "Arab" and word.startswith(_ABU_AL) and len(word) > 6:
        return script, "abw " + romanize_word(word[word.index("\u0648") + 1 :])[1]
    latin = _icu_word(word) if script != "Arab" else _arabic_latin(word)
    if (
        script == "Arab"
        and latin.startswith("al")
        and len(latin) > 4
        and " " not in latin
        and latin != "allh"
    ):
        latin = "al " + latin[2:]  # the article is written joined: السيسي -> al sysy
    return script, latin


_ABD_AL = "\u0639\u0628\u062f\u0627\u0644"  # عبدال
_ABDULLAH = "\u0639\u0628\u062f\u0627\u0644\u0644\u0647"  # عبدالله
_ABU_AL = ("\u0623\u0628\u0648\u0627\u0644", "\u0627\u0628\u0648\u0627\u0644")  # أبوال, ابوال


# Letters of Urdu and Pashto that ICU's Any-Latin leaves out (اظہر came out azr, ځدران dran), as
# the Arabic or Persian letters their Latin spellings follow (Azhar, Zadran)
_URDU_PASHTO = str.maketrans(
    {
        "\u06c1": "\u0647",  # ہ heh goal: h
        "\u06be": "\u0647",  # ھ heh doachashmee (aspiration): h
        "\u06c2": "\u0647",  # ۂ
        "\u06c0": "\u0647",  # ۀ
        "\u06c3": "\u0629",  # ۃ: ta marbuta
        "\u0681": "\u0632",  # ځ Pashto dz: z (Zadran)
        "\u0685": "\u0633",  # څ Pashto ts: s
        "\u0696": "\u0632",  # ږ Pashto zh/g: z
        "\u069a": "\u0634",  # ښ Pashto x/sh: sh
        "\u0688": "\u062f",  # ڈ retroflex d
        "\u0689": "\u062f",  # ډ Pashto retroflex d
        "\u067c": "\u062a",  # ټ Pashto retroflex t (خټک Khattak)
        "\u0679": "\u062a",  # ٹ retroflex t
        "\u0691": "\u0631",  # ڑ retroflex r
        "\u0693": "\u0631",  # ړ Pashto r
        "\u06ba": "\u0646",  # ں noon ghunna: n
        "\u06bc": "\u0646",  # ڼ Pashto n
        "\u06d2": "\u06cc",  # ے yeh barree: y
        "\u06d3": "\u06cc",  # ۓ
        "\u06d0": "\u06cc",  # ې Pashto e
        "\u06cd": "\u06cc",  # ۍ Pashto ey
        "\u06ab": "\u06af",  # ګ Pashto g
    }
)


_SKELETON_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), r)
    for p, r in (
        # Belarusian surnames end in -au / -ou where Russian ones end in -ov / -ev (ГЛАДКОЎ /
        # ГЛАДКОВ, Herasimau / Gerasimov)
        (r"(?<=..[^aeiouy])[ao]u$", "ov"),
        (r"szcz", "shch"),  # Polish щ ч ш (Khlyszczankau, Czerkasow, Szabanow)
        (r"cz", "ch"),
        (r"sz", "sh"),
        (r"(?<=v)ici$", "ich"),  # Romanian -вич (Iurievici, Gheorghievici)
        (r"tsch|tch", "ch"),  # German and French ч (Sergejewitsch, Tchaikovsky): before sch
        (r"shch|sch|ssh", "sh"),
        (r"dzh|dj", "j"),
        (r"zh", "j"),
        (r"kh", "h"),
        (r"(?<!n)gh|gh(?![aeiouy])", "g"),  # not ng-h between Korean syllables (Jonghyeok, Seunghun)
        (r"ph", "f"),
        (r"th", "t"),
        (r"ck|q", "k"),
        (r"c(?!h)", "k"),
        (r"x", "ks"),
        (r"w", "v"),
        (r"tz", "ts"),
        (r"gu(?=[ei])", "g"),
        (r"ou|oo", "u"),
        (r"ue", "u"),
        (r"eo", "o"),  # Korean eo (Jeong / Jong)
        (r"eu", "u"),  # Korean eu (Eun / Un)
        (r"(?<=[^aeiou])[yji]o", "e"),  # Cyrillic yo: Aksyonov / Aksenov, Fyodor / Fedor
        (r"(?<=.)j|y", "i"),  # a j inside a word is a glide (Sergej); at the start a consonant (Jong)
        (r"([^e])\1+", r"\1"),
        (r"i(?=[aeou])", ""),  # ya/yo/yu/ye and ia/io/iu/ie: Aksyonov, Aksionov, Aksenov meet
        # Cyrillic ее is ee, eye or eje (Moiseev / Moiseyev / Moisejew), and an English ee is i
        # (Fazeel / Fazil): so once the glides are gone, ee is i
        (r"ee", "i"),
        (r"(.)\1+", r"\1"),
        (r"ie$", "i"),
    )
)


@lru_cache(maxsize=200_000)
def skeleton(token: str) -> str:
    """A romanized token with the spelling differences between romanization systems removed.

    Sergey, Sergei, Serguei and Sergej give `sergei`; Aksyonov, Aksionov and Aksenov give
    `aksenov`. The rules run in order, and every token, from any script, goes through the same rules.
    """
    s = token
    for pattern, repl in _SKELETON_RULES:
        s = pattern.sub(repl, s)
    return s or token


@lru_cache(maxsize=200_000)
def j_consonant_skeleton(text: str) -> str:
    """The skeleton of a romanized Hangul or abjad word. Its j is always a consonant (ㅈ, ج), never
    the glide `skeleton` makes of a j inside a word (Sergej, Tatjana): so the given name 설주 seolju
    has the skeleton of its Latin spelling in syllables, Sol Ju (sol + ju: solju), as 여정 yeojeong
    has Yo Jong's (ojong), and رجب rjb keeps its j (Rajab)."""
    return skeleton(text.replace("j", "J")).replace("J", "j")


_VOWEL_RUNS = re.compile(r"[aeiou]+")


def syllable_count(text: str) -> int:
    """The syllables of a romanized Korean or Chinese name part, as its runs of vowels (seoyeong 2,
    song 1, jong un 2)."""
    return len(_VOWEL_RUNS.findall(text))


_VOWELS = re.compile(r"[aeiouyvw]")
_VOWEL_CLASS = {"a": "A", "e": "I", "i": "I", "y": "I", "o": "U", "u": "U", "v": "U", "w": "U"}


@lru_cache(maxsize=200_000)
def vowel_gaps(skel: str, abjad: bool = False) -> str:
    """The vowels around the consonants of a skeleton, by class: A (a), I (i e y), U (u o w v), one
    gap before each consonant of `consonants(skel)` and one after the last, joined by dots.
    `mahmud` gives `.A..U.`, `mohammad` `.U.A.A.`. A script without short vowels (Arabic, Persian,
    Hebrew) still writes the long ones (محمود mhmwd, حسين hsyn): a Latin spelling of the same name
    has a vowel of that class in that gap (Mahmud, Hussein), another name does not (Mohammad, Hassan)."""
    gaps: list[set[str]] = [set()]
    last = ""
    for ch in skel if abjad else skel.replace("dh", "z"):
        cls = _VOWEL_CLASS.get(ch)
        if cls is not None:
            gaps[-1].add(cls)
            last = ""
            continue
        c = "b" if ch == "p" else ch
        if c != last:  # consonants() writes a doubled consonant once
            gaps.append(set())
        last = c
    return ".".join("".join(sorted(g)) for g in gaps)


# final vowels an abjad spelling writes (alif, ya, waw); not e (Hebrew he)
_WRITTEN_FINALS = frozenset("aiyou")


def long_vowels_agree(abjad_gaps: str, latin_gaps: str, abjad_cons: str = "", latin_skel: str = "") -> bool:
    """Whether a Latin spelling has, in each gap between consonants, a vowel of the class of the long
    vowel (waw, ya) the abjad spelling writes there. The first gap is not checked (an initial alif,
    waw or ya carries any vowel); a final ya may be an a (Persian writes alif maqsura with it:
    مصطفی Mostafa, مرتضی Morteza). An alif between two consonants is a long a, which the Latin
    spellings write a, o, or in the French manner of the Maghreb e (احسان Ehsan, Ahsan, not Hossein;
    جلالی Jalali, not Jalili; بلكلام Belkalem), except before l, where it may be the article
    (عبدالرحمن Abdelrahman, Abdulrahman): that is checked given `abjad_cons`, the consonants of the
    abjad spelling, and `latin_skel`, the Latin skeleton, which also tells a final vowel that the
    abjad spelling does not write (اصغر Asghar, not Asgari)."""
    ga, gb = abjad_gaps.split("."), latin_gaps.split(".")
    if len(ga) != len(gb):
        return True
    last = len(ga) - 1
    if last and ((ga[last] == "A" and not gb[last]) or (not ga[last] and latin_skel[-1:] in _WRITTEN_FINALS)):
        # a final alif is a final a (رضا Reza, حسنا Hosna, not Hossein); a Latin name ending in a
        # vowel the abjad spelling does not write is another name (اصغر Asghar, not Asgari; هاشم
        # Hashem, not Hashemi: the ya of the -i suffix is always written); a final e may be Hebrew
        # he (משה Moshe)
        return False
    letters: list[str] | None = None
    for k in range(1, len(ga)):
        for cls in ga[k]:
            if cls in gb[k] or (k == last and cls == "I" and "A" in gb[k]):
                continue
            if cls == "A":
                if not abjad_cons or k == last or k >= len(abjad_cons) or abjad_cons[k] == "l":
                    continue
                if "U" in gb[k]:
                    continue
                if latin_skel:
                    letters = letters or vowel_letters(latin_skel).split(".")
                    if len(letters) == len(gb) and letters[k] == "e":
                        continue
            return False
    if latin_skel and ("v" in latin_skel or "w" in latin_skel):
        # a w or v of the Latin spelling is a waw, which the abjad spelling always writes
        # (Hasawani is حساوني, not حسني)
        letters = letters or vowel_letters(latin_skel).split(".")
        if len(letters) == len(ga) and any(
            ("v" in x or "w" in x) and "U" not in y for x, y in zip(letters, ga, strict=True)
        ):
            return False
    return True


@lru_cache(maxsize=200_000)
def vowel_letters(skel: str) -> str:
    """The vowel letters in the gaps `vowel_gaps` classifies, as written (`belkalem`: `.e.a.e.`)."""
    gaps: list[str] = [""]
    last = ""
    for ch in skel.replace("dh", "z"):
        if ch in _VOWEL_CLASS:
            gaps[-1] += ch
            last = ""
            continue
        c = "b" if ch == "p" else ch
        if c != last:
            gaps.append("")
        last = c
    return ".".join(gaps)


@lru_cache(maxsize=200_000)
def consonants(skel: str, abjad: bool = False) -> str:
    """The consonants of a skeleton (w, v and y count as vowels: Arabic, Persian and Hebrew write
    long vowels with them; p is b, as Arabic has no p; dh is z, as Persian says ذ: Dhabih / Zabih),
    doubled letters once. An abjad spelling writes ذ z already (`romanize_word`): its dh is د and ه
    (زاده zadh: Zadeh)."""
    if not abjad:
        skel = skel.replace("dh", "z")
    return _VOWELS.sub("", re.sub(r"(.)\1+", r"\1", skel.replace("p", "b")))
