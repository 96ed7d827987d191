"""A short bilingual text written for these tests, and the files built from it in each format.

Every paragraph is one sentence, so the expected aligned pairs are exactly ``PAIRS``; the
builders add the noise real files carry (navigation, share buttons, comment forms, running
headers and footers, page numbers).
"""

from __future__ import annotations

import html
import io
from collections.abc import Iterable, Sequence

TITLE = ("数字时代的治理合作", "Governance Cooperation in the Digital Age")

PAIRS: list[tuple[str, str]] = [
    (
        "数字技术正在深刻改变人们的生产和生活方式。",
        "Digital technology is profoundly changing the way people work and live.",
    ),
    (
        "网络空间已经成为各国共同关注的新领域。",
        "Cyberspace has become a new domain of common concern to all countries.",
    ),
    (
        "各方应当在相互尊重的基础上开展对话与合作。",
        "All parties should conduct dialogue and cooperation on the basis of mutual respect.",
    ),
    (
        "我们反对利用网络干涉他国内政。",
        "We oppose the use of networks to interfere in the internal affairs of other countries.",
    ),
    (
        "关键信息基础设施的安全关系到国家安全和公共利益。",
        "The security of critical information infrastructure bears on national security and the public interest.",
    ),
    (
        "个人信息保护需要法律、技术和行业自律共同发挥作用。",
        "Personal information protection needs law, technology and industry self-regulation to work together.",
    ),
    (
        "跨境数据流动应当在安全有序的前提下进行。",
        "Cross-border data flows should take place in a secure and orderly manner.",
    ),
    (
        "发展中国家在数字经济中面临资金和人才的双重短缺。",
        "Developing countries face a double shortage of funds and talent in the digital economy.",
    ),
    (
        "缩小数字鸿沟是国际社会的共同责任。",
        "Narrowing the digital divide is a shared responsibility of the international community.",
    ),
    (
        "人工智能的发展必须坚持以人为本的原则。",
        "The development of artificial intelligence must adhere to a people-centred approach.",
    ),
    (
        "算法的透明度和可解释性日益受到公众关注。",
        "The transparency and explainability of algorithms draw growing public attention.",
    ),
    (
        "网络犯罪是跨国性问题，需要各国执法机构密切配合。",
        "Cybercrime is a transnational problem that requires close coordination among law enforcement agencies.",
    ),
    (
        "联合国在制定网络空间行为规范方面发挥着重要作用。",
        "The United Nations plays an important role in developing norms of behaviour in cyberspace.",
    ),
    (
        "多利益相关方模式让企业、学界和民间团体都能参与讨论。",
        "The multi-stakeholder model lets companies, academia and civil society all take part in the discussion.",
    ),
    (
        "2023年全球网民数量超过五十亿。",
        "In 2023 the number of Internet users worldwide exceeded five billion.",
    ),
    (
        "互联网域名系统的稳定运行离不开技术社群的长期投入。",
        "The stable operation of the domain name system depends on the long-term commitment of the technical community.",
    ),
    (
        "开放标准有助于不同系统之间的互联互通。",
        "Open standards help different systems connect and interoperate.",
    ),
    (
        "网络安全能力建设应当照顾到小国和欠发达地区的需要。",
        "Cybersecurity capacity building should take account of the needs of small states and less developed regions.",
    ),
    (
        "数字贸易规则的谈判仍然存在明显分歧。",
        "Negotiations on digital trade rules still show clear differences.",
    ),
    (
        "平台企业应当承担与其影响力相称的社会责任。",
        "Platform companies should bear social responsibilities commensurate with their influence.",
    ),
    (
        "未成年人的网络保护需要家庭、学校和社会共同努力。",
        "Protecting minors online requires joint efforts by families, schools and society.",
    ),
    (
        "数据作为新型生产要素，其价值正在被重新认识。",
        "As a new factor of production, data is having its value reassessed.",
    ),
    (
        "我们愿同各方一道构建和平、安全、开放、合作的网络空间。",
        "We are ready to work with all parties to build a peaceful, secure, open and cooperative cyberspace.",
    ),
    ("会议于10月18日在日内瓦闭幕。", "The meeting closed in Geneva on 18 October."),
]

NAVIGATION = """
<header><div class="logo">全球治理观察 Global Governance Watch</div>
<nav><ul><li><a href="/">首页</a></li><li><a href="/en">English</a></li><li><a href="/news">新闻 News</a></li>
<li><a href="/reports">报告 Reports</a></li><li><a href="/about">关于我们 About</a></li></ul></nav>
<div class="breadcrumb">您的位置：首页 &gt; 报告 &gt; 正文</div></header>
"""
SHARE = """
<div class="share-buttons"><span>分享到：</span><a href="#">微信</a><a href="#">微博</a>
<a href="#">Twitter</a><a href="#">Facebook</a><a href="#">LinkedIn</a><span>阅读 1024</span></div>
"""
COMMENTS = """
<section id="comments" class="comments"><h3>发表评论 Leave a comment</h3>
<div class="comment"><p class="author">网友甲</p><p>写得很好，期待更多报道！</p></div>
<form action="/comment" method="post"><label>姓名 Name <input name="name"></label>
<label>评论 Comment <textarea name="body"></textarea></label><button type="submit">提交 Submit</button></form>
</section>
<aside class="related"><h4>相关阅读 Related</h4><ul><li><a href="/a">数据安全法解读</a></li>
<li><a href="/b">Digital trade talks resume</a></li><li><a href="/c">人工智能伦理指南</a></li></ul></aside>
<footer><p>版权所有 © 2024 全球治理观察 Copyright Global Governance Watch</p><p>联系我们 Contact | 隐私政策 Privacy</p></footer>
"""


def paragraphs(layout: str) -> list[str]:
    """The text's paragraphs, title first, in a layout: alternating, zh-then-en or en-then-zh."""
    zh = [z for z, _ in PAIRS]
    en = [e for _, e in PAIRS]
    if layout == "alternating":
        return [p for pair in PAIRS for p in pair]
    if layout == "zh-then-en":
        return zh + en
    if layout == "en-then-zh":
        return en + zh
    raise ValueError(layout)


def web_page(layout: str, *, url: str = "https://example.org/reports/digital-governance") -> bytes:
    """A saved web page holding the text, with the furniture of a real news site around it."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs(layout))
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>{TITLE[0]} {TITLE[1]} - 全球治理观察</title>
<link rel="canonical" href="{url}">
<meta property="og:url" content="{url}?from=share">
<meta property="article:published_time" content="2024-10-20T08:00:00+08:00">
<script>var tracker = "analytics";</script>
</head><body>
{NAVIGATION}
<main><article>
<h1>{TITLE[0]} {TITLE[1]}</h1>
<div class="meta">2024-10-20 来源：全球治理观察</div>
{SHARE}
<div class="content">
{body}
</div>
{SHARE}
</article></main>
{COMMENTS}
</body></html>
"""
    return page.encode("utf-8")


def docx_with_table(pairs: Sequence[tuple[str, str]] = PAIRS) -> bytes:
    """A Word file: a bilingual heading, a note, and a two-column table (header row, then Chinese | English)."""
    import docx

    document = docx.Document()
    document.add_heading(f"{TITLE[0]} {TITLE[1]}", level=1)
    document.add_paragraph("以下为会议文件的中英文对照。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "中文"
    table.rows[0].cells[1].text = "English"
    for zh, en in pairs:
        cells = table.add_row().cells
        cells[0].text = zh
        cells[1].text = en
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def docx_paragraphs(texts: Iterable[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in texts:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"


def pdf(
    texts: Sequence[str],
    *,
    header: str = "数字治理研究报告 Digital Governance Report",
    password: str | None = None,
) -> bytes:
    """A text PDF of A5 pages, each with a running header and a numbered footer.

    The writer wraps long paragraphs onto several lines, as a real report does.
    """
    from fpdf import FPDF

    class Report(FPDF):
        def header(self) -> None:
            self.set_font("wqy", size=8)
            self.cell(0, 5, header, new_x="LMARGIN", new_y="NEXT")
            self.ln(6)
            self.set_font("wqy", size=10)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("wqy", size=8)
            self.cell(0, 5, f"第 {self.page_no()} 页 Page {self.page_no()}")
            self.set_font("wqy", size=10)

    document = Report(format=(148, 210))
    document.add_font("wqy", fname=FONT)
    document.set_font("wqy", size=10)
    document.set_auto_page_break(auto=True, margin=22)
    if password is not None:
        document.set_encryption(owner_password="owner-secret", user_password=password)
    document.add_page()
    for text in texts:
        document.multi_cell(0, 5, text, new_x="LMARGIN", new_y="NEXT")
        document.ln(4)
    return bytes(document.output())


def xliff_20(pairs: Sequence[tuple[str, str]] = PAIRS, *, src: str = "zh-CN", trg: str = "en-US") -> bytes:
    zh_source = src.startswith("zh")
    units = []
    for number, (zh, en) in enumerate(pairs, start=1):
        source, target = (zh, en) if zh_source else (en, zh)
        units.append(
            f'    <unit id="u{number}">\n      <segment state="final">\n'
            f"        <source>{html.escape(source, quote=False)}</source>\n"
            f"        <target>{html.escape(target, quote=False)}</target>\n      </segment>\n    </unit>"
        )
    body = "\n".join(units)
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="{src}" trgLang="{trg}">\n'
        f'  <file id="f1" original="report.docx">\n{body}\n  </file>\n</xliff>\n'
    ).encode()


def score(produced: Iterable[tuple[str | None, str | None]], expected: Sequence[tuple[str, str]]) -> float:
    """Share of the expected pairs found exactly among the produced pairs."""
    found = {(zh, en) for zh, en in produced if zh and en}
    return sum(1 for pair in expected if pair in found) / len(expected)


CHINESE_JOB = """网络安全审查工作要点

各方应当尊重网络主权，不得利用网络干涉他国内政。
关键信息基础设施的运营者应当每年开展一次安全检测。
关键信息基础设施一旦遭到破坏，可能严重危害国家安全。
数据跨境流动应当符合法律规定，数据跨境流动的安全评估由主管部门组织。
电子商务平台应当保护消费者的合法权益，电子商务经营者应当依法纳税。
"""


def known_concept(session):  # type: ignore[no-untyped-def]
    """An approved entry the Chinese job text cites once: 网络主权, cyber sovereignty (preferred)."""
    from termbase.services import concepts as svc
    from termbase.services.concepts import TermInput

    concept = svc.create_concept(
        session,
        [
            TermInput(language="zh-Hans", text="网络主权", usage_status="preferred"),
            TermInput(language="en", text="cyber sovereignty", usage_status="preferred"),
            TermInput(language="en", text="Internet sovereignty"),
        ],
        actor="test",
        status="approved",
    )
    session.commit()
    return concept


# A harder page: paragraphs of several sentences, aligned sentence by sentence, and a photo
# caption present in Chinese only. Sentence pairs as the translator made them.
CAPTION = "图为2023年数据峰会现场。"
SENTENCE_PARAS: list[list[tuple[str, str]]] = [
    [
        (
            "近年来，全球数据总量快速增长。",
            "In recent years the world's total volume of data has grown rapidly.",
        ),
        ("数据已经渗透到经济社会的各个领域。", "Data has permeated every field of the economy and society."),
    ],
    [
        ("各国对数据安全的关注不断上升。", "Countries are paying ever more attention to data security."),
        ("一些国家出台了专门的数据保护法律。", "Some have adopted dedicated data protection laws."),
        ("这些法律在适用范围上差别很大。", "These laws differ widely in scope."),
    ],
    [
        ("跨境数据流动是数字贸易的基础。", "Cross-border data flows are the basis of digital trade."),
        (
            "没有数据的自由流动，很多在线服务将无法提供。",
            "Without the free flow of data, many online services could not be offered.",
        ),
    ],
    [
        (
            "与此同时，数据的过度集中也带来了风险。",
            "At the same time, excessive concentration of data also brings risks.",
        ),
        ("少数大型平台掌握了海量用户信息。", "A few large platforms hold vast amounts of user information."),
    ],
    [
        (
            "我们认为，应当在发展与安全之间寻求平衡。",
            "We believe a balance should be sought between development and security.",
        ),
        ("任何一方面都不能偏废。", "Neither side can be neglected."),
    ],
    [
        (
            "国际合作是解决这些问题的唯一途径。",
            "International cooperation is the only way to solve these problems.",
        ),
        ("我们愿意同各方分享经验。", "We are willing to share experience with all parties."),
        (
            "我们也愿意学习他国的有益做法。",
            "We are also willing to learn from the good practices of other countries.",
        ),
    ],
]


def sentence_page(layout: str) -> bytes:
    """A web page of ``SENTENCE_PARAS`` in a layout, with a Chinese-only caption and page furniture."""
    zh_paras = ["".join(z for z, _ in p) for p in SENTENCE_PARAS]
    en_paras = [" ".join(e for _, e in p) for p in SENTENCE_PARAS]
    zh_paras.insert(3, CAPTION)
    if layout == "alternating":
        sequence: list[str] = []
        english = iter(en_paras)
        for paragraph in zh_paras:
            sequence.append(paragraph)
            if paragraph != CAPTION:
                sequence.append(next(english))
    elif layout == "zh-then-en":
        sequence = zh_paras + en_paras
    else:
        sequence = en_paras + zh_paras
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in sequence)
    return (
        "<html><head><meta charset='utf-8'><title>数据治理 Data Governance</title></head><body>"
        f"{NAVIGATION}<article><h1>数据治理 Data Governance</h1>{SHARE}{body}</article>{COMMENTS}</body></html>"
    ).encode()
