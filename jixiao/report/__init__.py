"""Self-evaluation reports as .docx/.pdf: draft (jixiao.core.drafting) → charts → Word → PDF."""
