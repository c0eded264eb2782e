"""The national code lists the register uses (DOMAIN.md §4): pure data and pure look-ups, no Django models.

- 民族: GB 3304-91 (codes 01 汉族 … 56 基诺族, 97 其他未识别民族, 98 外国血统中国籍人士).
- 学历: GB/T 4658-2006, the graduation codes of each level (研究生 split into 博士 and 硕士; 小学及以下 takes the
  primary-school code and also covers 文盲或半文盲), grouped for statistics (``EDUCATION_GROUPS``).
- 工作岗位: the 党内统计 job categories; seeded into ``JobCategory`` (admins may edit them), listed here for the
  migration and for mapping free text.

``*_code(text)`` turn what people write (the name, a common short form, or the code itself) into a code, and
return ``None`` when the text is not on the list or could mean more than one entry.
"""

ETHNICITIES = [
    ("01", "汉族"),
    ("02", "蒙古族"),
    ("03", "回族"),
    ("04", "藏族"),
    ("05", "维吾尔族"),
    ("06", "苗族"),
    ("07", "彝族"),
    ("08", "壮族"),
    ("09", "布依族"),
    ("10", "朝鲜族"),
    ("11", "满族"),
    ("12", "侗族"),
    ("13", "瑶族"),
    ("14", "白族"),
    ("15", "土家族"),
    ("16", "哈尼族"),
    ("17", "哈萨克族"),
    ("18", "傣族"),
    ("19", "黎族"),
    ("20", "傈僳族"),
    ("21", "佤族"),
    ("22", "畲族"),
    ("23", "高山族"),
    ("24", "拉祜族"),
    ("25", "水族"),
    ("26", "东乡族"),
    ("27", "纳西族"),
    ("28", "景颇族"),
    ("29", "柯尔克孜族"),
    ("30", "土族"),
    ("31", "达斡尔族"),
    ("32", "仫佬族"),
    ("33", "羌族"),
    ("34", "布朗族"),
    ("35", "撒拉族"),
    ("36", "毛南族"),
    ("37", "仡佬族"),
    ("38", "锡伯族"),
    ("39", "阿昌族"),
    ("40", "普米族"),
    ("41", "塔吉克族"),
    ("42", "怒族"),
    ("43", "乌孜别克族"),
    ("44", "俄罗斯族"),
    ("45", "鄂温克族"),
    ("46", "德昂族"),
    ("47", "保安族"),
    ("48", "裕固族"),
    ("49", "京族"),
    ("50", "塔塔尔族"),
    ("51", "独龙族"),
    ("52", "鄂伦春族"),
    ("53", "赫哲族"),
    ("54", "门巴族"),
    ("55", "珞巴族"),
    ("56", "基诺族"),
    ("97", "其他未识别民族"),
    ("98", "外国血统中国籍人士"),
]
HAN = "01"

EDUCATIONS = [
    ("11", "博士研究生"),
    ("14", "硕士研究生"),
    ("21", "大学本科"),
    ("31", "大学专科"),
    ("41", "中等专科"),
    ("44", "职业高中"),
    ("47", "技工学校"),
    ("61", "高中"),
    ("71", "初中"),
    ("81", "小学及以下"),
]
DOCTORATE, MASTER, BACHELOR, COLLEGE, SECONDARY_SPECIALISED = "11", "14", "21", "31", "41"
VOCATIONAL_HIGH, TECHNICAL_SCHOOL, HIGH_SCHOOL, JUNIOR, PRIMARY = "44", "47", "61", "71", "81"

# For statistics: (group, label, codes). 大专及以上 is the usual headline figure.
EDUCATION_GROUPS = [
    ("postgraduate", "研究生", (DOCTORATE, MASTER)),
    ("bachelor", "大学本科", (BACHELOR,)),
    ("college", "大学专科", (COLLEGE,)),
    ("secondary", "中专、职高、技校", (SECONDARY_SPECIALISED, VOCATIONAL_HIGH, TECHNICAL_SCHOOL)),
    ("high_school", "高中", (HIGH_SCHOOL,)),
    ("junior", "初中及以下", (JUNIOR, PRIMARY)),
]
COLLEGE_AND_ABOVE = (DOCTORATE, MASTER, BACHELOR, COLLEGE)

# 党内统计 job categories: (code, name), in their order on the statistics tables.
JOB_CATEGORIES = [
    ("01", "企事业单位管理人员"),
    ("02", "专业技术人员"),
    ("03", "工勤技能人员"),
    ("04", "农牧渔民"),
    ("05", "学生"),
    ("06", "离退休人员"),
    ("07", "自由职业人员"),
    ("08", "下岗失业人员"),
    ("99", "其他"),
]
OTHER_JOB = "99"

ETHNICITY_NAMES = dict(ETHNICITIES)
EDUCATION_NAMES = dict(EDUCATIONS)
JOB_CATEGORY_NAMES = dict(JOB_CATEGORIES)

# Short forms people write. 研究生 alone is missing on purpose: it could be 博士 or 硕士.
EDUCATION_ALIASES = {
    "博士": DOCTORATE,
    "博士研究生毕业": DOCTORATE,
    "硕士": MASTER,
    "硕士研究生毕业": MASTER,
    "本科": BACHELOR,
    "大学": BACHELOR,
    "大本": BACHELOR,
    "大专": COLLEGE,
    "专科": COLLEGE,
    "中专": SECONDARY_SPECIALISED,
    "中技": SECONDARY_SPECIALISED,
    "中等专业学校": SECONDARY_SPECIALISED,
    "职高": VOCATIONAL_HIGH,
    "技校": TECHNICAL_SCHOOL,
    "普通高中": HIGH_SCHOOL,
    "初级中学": JUNIOR,
    "小学": PRIMARY,
    "文盲或半文盲": PRIMARY,
}
# Written for a level that splits in two: asked, not guessed.
AMBIGUOUS_EDUCATION = {"研究生": (DOCTORATE, MASTER), "研究生教育": (DOCTORATE, MASTER)}

JOB_ALIASES = {
    "管理人员": "01",
    "企业管理人员": "01",
    "事业单位管理人员": "01",
    "专技人员": "02",
    "专业技术": "02",
    "工人": "03",
    "工勤人员": "03",
    "农民": "04",
    "牧民": "04",
    "渔民": "04",
    "离休": "06",
    "退休": "06",
    "退休人员": "06",
    "离退休": "06",
    "自由职业": "07",
    "自由职业者": "07",
    "个体经营": "07",
    "个体经营者": "07",
    "下岗": "08",
    "失业": "08",
    "待业": "08",
    "无业": "08",
}
# Free text of the old 工作岗位 column: a word in the title says the category. Only words that cannot mislead;
# whatever matches none of them (or more than one category) stays in the note for a person to decide.
JOB_KEYWORDS = [
    ("01", ("经理", "总监", "主管", "店长", "厂长", "董事", "主任", "部长", "总经理", "负责人")),
    ("02", ("工程师", "会计", "审计", "律师", "设计师", "教师", "讲师", "医生", "护士", "技术员", "规划师", "造价")),
    ("03", ("保安", "保洁", "维修工", "电工", "司机", "厨师", "操作工", "技工", "水电工", "工勤")),
    ("05", ("学生",)),
    ("06", ("退休",)),
    ("08", ("待业", "失业", "下岗")),
]


def _clean(text: str) -> str:
    return "".join((text or "").split())


def ethnicity_code(text: str) -> str | None:
    """汉族, 汉 or 01 → "01"; None when it is not one of GB 3304's."""
    value = _clean(text)
    if value in ETHNICITY_NAMES:
        return value
    if value.isdigit() and value.zfill(2) in ETHNICITY_NAMES:
        return value.zfill(2)
    for code, name in ETHNICITIES:
        if value in (name, name.removesuffix("族")) and value:
            return code
    return None


def education_code(text: str) -> str | None:
    """大学本科, 本科 or 21 → "21"; None when it is not on the list or is ambiguous (研究生)."""
    value = _clean(text)
    if value in EDUCATION_NAMES:
        return value
    for code, name in EDUCATIONS:
        if value == name:
            return code
    return EDUCATION_ALIASES.get(value)


def is_ambiguous_education(text: str) -> bool:
    return _clean(text) in AMBIGUOUS_EDUCATION


def education_group(code: str) -> str | None:
    """The statistics group of an education code (``EDUCATION_GROUPS``)."""
    for group, _label, codes in EDUCATION_GROUPS:
        if code in codes:
            return group
    return None


def job_category_code(text: str, categories: dict[str, str] | None = None) -> str | None:
    """The job category's code for a name, a short form or the code (``categories``: code → name, the
    categories in the database; the seeded list by default)."""
    categories = JOB_CATEGORY_NAMES if categories is None else categories
    value = _clean(text)
    if value in categories:
        return value
    for code, name in categories.items():
        if value == name:
            return code
    code = JOB_ALIASES.get(value)
    return code if code in categories else None


def job_category_from_title(text: str) -> str | None:
    """The category a free-text job title says by one of ``JOB_KEYWORDS`` (软件工程师 → 专业技术人员), or
    None when it says none or more than one."""
    value = _clean(text)
    if not value:
        return None
    exact = job_category_code(value)
    if exact:
        return exact
    found = {code for code, words in JOB_KEYWORDS if any(word in value for word in words)}
    return found.pop() if len(found) == 1 else None
