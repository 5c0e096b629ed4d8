"""Write config/common_passwords.txt: passwords too common to allow, lowercased, one a line.

Assembled by hand from the passwords that top the published leak lists year after year, the
favourites of Chinese users (a123456, woaini1314, qq123456, 5201314, surname+123456 …), keyboard
walks and repeats, and their usual suffixes (years, 123, !, 1314). No list from the internet is
downloaded: run `python tools/common_passwords.py` to rebuild the file after editing this one.
Spotcheck compares passwords case-insensitively, so the list holds no case variants.
"""

from pathlib import Path

TOP = """
123456 password 12345678 qwerty 123456789 12345 1234 111111 1234567 dragon 123123 baseball abc123
football monkey letmein 696969 shadow master 666666 qwertyuiop 123321 mustang 1234567890 michael
654321 superman 1qaz2wsx 7777777 121212 000000 qazwsx 123qwe killer trustno1 jordan jennifer
zxcvbnm asdfgh hunter buster soccer harley batman andrew tigger sunshine iloveyou charlie robert
thomas hockey ranger daniel starwars klaster 112233 george computer michelle jessica pepper 1111
zxcvbn 555555 11111111 131313 freedom 777777 pass maggie 159753 aaaaaa ginger princess joshua
cheese amanda summer love ashley nicole chelsea biteme matthew access yankees 987654321 dallas
austin thunder taylor matrix welcome admin administrator root passw0rd p@ssw0rd p@ssword qwerty123
qwe123 1q2w3e4r 1q2w3e4r5t 1q2w3e zaq12wsx !qaz2wsx asdf1234 abcd1234 abcdef abc12345 password1
login changeme secret default guest test temp qwertyui asdfghjkl 123abc a1b2c3 1qazxsw2 qazwsxedc
1qaz2wsx3edc qwerasdfzxcv q1w2e3r4 q1w2e3r4t5y6 147258369 159357 147258 258369 123654 123654789
12344321 1234554321 11223344 112233445566 111222 123456654321 147852369 147852 1472583690
0123456789 00000000 22222222 12121212 31415926 3.1415926 asd123 zxc123 qweasd qweasdzxc qweqwe
asdasd zxczxc 1a2b3c 1a2b3c4d abcabc abc123abc 123456a 123456aa 123456abc abc123456 aa123456
a12345678 a123456 a123456789 qwertyuiop123 1234qwer qwer1234 1234abcd abcd4321 superuser
sysadmin system manager user username letmein123 hello hello123 helloworld whatever trustme
football1 baseball1 iloveyou1 sunshine1 princess1 monkey1 shadow1 master1 dragon1 michael1
jesus jesus1 god lovely loveme flower angel angel1 family friends blessed forever secret123
internet samsung apple google yahoo facebook linkedin twitter microsoft windows linux oracle
mysql postgres server database company office work office123 spring autumn winter
"""

CHINESE = """
woaini woaini1314 woaini520 woaini521 woaini1314520 woaini5201314 iloveyou520 iloveyou1314
5201314 1314520 520520 521521 1314521 5201314520 1314520520 201314 7758521 7758258 584520
5841314520 qq123456 qq5201314 qq123456789 aini1314 iloveu hao123 baidu baidu123 taobao taobao123
qazwsx123 woaiwojia woaiwoma woaibaba woaimama nihao nihao123 nihao123456 wodemima mima mima123
mima123456 zhongguo zhongguo123 zhonghua beijing shanghai guangzhou shenzhen zhanjiang guangdong
china china123 chinese 88888888 888888 8888888 66666666 6666666 99999999 999999 168168 168888
518518 520131 123456789a 123456789q abc123456789 wang123456 zhang123456 li123456 liu123456
chen123456 yang123456 huang123456 zhao123456 zhou123456 wu123456 xu123456 sun123456 ma123456
zhu123456 hu123456 guo123456 lin123456 he123456 gao123456 luo123456 zheng123456 liang123456
xie123456 song123456 tang123456 han123456 feng123456 deng123456 cao123456 peng123456 zeng123456
xiao123456 tian123456 dong123456 pan123456 yuan123456 cai123456 jiang123456 yu123456 du123456
ye123456 cheng123456 wei123456 su123456 lu123456 ding123456 ren123456 shen123456 yao123456
qianqian xiaoxiao tiantian lele yangyang jiajia tingting meimei haha hahaha woshishui
shiye jiuye shebao renshe renshe123 jiuyeju zhanjiang123 gdzj spotcheck spotcheck123 suijichoucha
huifang huifang123 hecha hecha123 choucha choucha123 gongzuo danwei zhengfu
"""

SUFFIXES = ["", "1", "12", "123", "1234", "12345", "123456", "1234567", "12345678", "123456789",
            "!", "!!", "@", "@123", "#123", "!@#", "123!", "1234!", "_123", ".", "0", "00", "01", "11",
            "520", "1314", "5201314", "666", "888", "000", "111", "007", "2008", "2010", "2012", "2015",
            "2018", "2019", "2020", "2021", "2022", "2023", "2024", "2025", "2026", "2027", "@2024",
            "@2025", "@2026", "abc", "qwe", "asd"]

# Words people stretch to a required length with a suffix or by doubling.
STRETCHED = """
password admin administrator welcome letmein iloveyou qwerty qwertyuiop asdfghjkl zxcvbnm
woaini monkey dragon football baseball sunshine princess superman batman master shadow michael
passw0rd p@ssw0rd changeme abc123 qwe123 1qaz2wsx qazwsx 1q2w3e4r zaq12wsx zhanjiang guangdong
china nihao zhongguo admin123 root test guest user system manager spotcheck huifang hecha
"""


def keyboard_and_repeats() -> set[str]:
    """Return keyboard walks, counting runs and repeated characters of 6 to 20 characters."""
    walks = ["1234567890", "0987654321", "qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb",
             "zaq1xsw2cde3vfr4", "qazwsxedcrfvtgb", "1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0",
             "!@#$%^&*()", "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "1234567890qwertyuiop"]
    found = set()
    for walk in walks:
        for length in range(6, min(len(walk), 20) + 1):
            found.add(walk[:length])
    for char in "0123456789abcdefghijklmnopqrstuvwxyz":
        for length in range(6, 21):
            found.add(char * length)
    for block in ("12", "123", "1234", "12345", "123456", "abc", "abc123", "qwe", "asd", "520", "1314", "woaini",
                  "aa", "ab", "a1", "qq", "88", "66", "168", "147", "159", "789", "321"):
        for times in range(2, 7):
            found.add(block * times)
    return found


def build() -> list[str]:
    """Return the sorted, lowercased list of common passwords."""
    words = set(TOP.split()) | set(CHINESE.split())
    found = set(words)
    for word in STRETCHED.split() + CHINESE.split()[:20]:
        found.update(word + suffix for suffix in SUFFIXES)
        found.add(word + word)
    found |= keyboard_and_repeats()
    return sorted(word.lower() for word in found if word)


def main() -> None:
    """Write the list next to the settings."""
    path = Path(__file__).resolve().parent.parent / "config" / "common_passwords.txt"
    path.write_text("\n".join(build()) + "\n", encoding="utf-8")
    print(f"wrote {path} ({len(build())} passwords)")


if __name__ == "__main__":
    main()
