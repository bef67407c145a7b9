"""Why cleaning sets a row aside: the reason codes of the ledger, in Thai and English.

A module of its own so that the reports can name the reasons without importing the cleaning
stage (and pandera with it)."""

REASONS = {
    "blank_row": ("แถวว่าง", "blank row"),
    "truncated_row": ("แถวไม่ครบเพราะไฟล์ถูกตัดท้าย", "row cut off where the file ends"),
    "repeated_header": ("แถวหัวตารางซ้ำ", "header row repeated"),
    "unknown_agency": ("ไม่พบหน่วยงานในทะเบียน", "agency not in the registry"),
    "ambiguous_agency": ("ชื่อหน่วยงานตรงกับหลายหน่วยงาน", "agency name fits more than one agency"),
    "conflicting_agency": (
        "รหัสและชื่อหน่วยงานระบุคนละหน่วยงาน",
        "agency code and name name different agencies",
    ),
    "missing_required_value": ("ไม่มีค่าที่จำเป็น", "required value missing"),
    "invalid_required_value": ("ค่าที่จำเป็นไม่ถูกต้อง", "required value unreadable"),
    "outside_fiscal_year": ("อยู่นอกปีงบประมาณ", "outside the fiscal year"),
    "no_answers": ("ไม่ได้ตอบคำถามใด", "no question answered"),
    "duplicate_submission": ("ส่งซ้ำ", "duplicate submission"),
    "superseded_submission": ("มีฉบับแก้ไขที่ใหม่กว่า", "replaced by a later submission"),
}
