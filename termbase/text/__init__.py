"""Pure text core: normalization, language tags, segmentation, pinyin. No Flask, no SQLAlchemy."""
