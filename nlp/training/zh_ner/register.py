"""`spacy train --code` target: registers the tokenizers and the BIO component the configs name."""
import nlp.chinese  # noqa: F401 - newsclaims.JiebaTokenizer.v1 (the shipped model reads jieba words)
import nlp.components.bio_ents  # noqa: F401 - newsclaims_bio_ents_v1
import nlp.zh_chars  # noqa: F401 - newsclaims.ZhCharTokenizer.v1 (the character ablation)
