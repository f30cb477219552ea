"""What to do about each finding, in plain French, for the teacher who reads the report.

``Code.titre`` says what is wrong in one line; ``CONSEILS`` says what to do about it, in words
a teacher who is not an accountant understands. The finding's own message (in the report) gives
the values seen; this text is the general advice, the same for every cahier.

``docs/codes.md`` and the table in ``docs/guide-mandataire.md`` are generated from here by
``scripts/docs.py`` (a test checks that every code has its advice and that the docs are up to date).
"""

from __future__ import annotations

from workbook_tools.model import SEVERITY_VARIES, Code, Severity

GRAVITE = {
    Severity.ERROR: "erreur",
    Severity.WARNING: "avertissement",
}

CONSEILS: dict[Code, str] = {
    Code.FILE_UNREADABLE: (
        "Ouvrez le cahier dans Excel ou LibreOffice et enregistrez-le à nouveau au format .xlsx "
        "(« Enregistrer sous », type « Classeur Excel »). S'il est protégé par un mot de passe à l'ouverture, "
        "enregistrez-le sans mot de passe. S'il ne s'ouvre plus du tout, l'association départementale peut "
        "vous rendre votre dernière version acceptée."
    ),
    Code.FILE_TOO_LARGE: (
        "Un cahier pèse d'ordinaire moins de 1 Mo. Retirez les images, photos ou feuilles ajoutées, "
        "puis enregistrez à nouveau."
    ),
    Code.NOT_A_CAHIER: (
        "Le fichier n'est pas parti du modèle, ou la feuille « Journal » ou ses titres de colonnes ont été "
        "renommés. Repartez du modèle cahier.xlsx et recopiez-y vos lignes, sans changer les titres."
    ),
    Code.LAYOUT_CHANGED: (
        "Rien à corriger si vos chiffres sont justes : des colonnes ont été ajoutées, déplacées ou retirées "
        "et le cahier a quand même été lu. Vérifiez que chaque montant est dans la bonne colonne."
    ),
    Code.MACROS_IGNORED: (
        "Rien à corriger : les macros ne sont jamais exécutées. Enregistrez plutôt au format .xlsx (sans macros)."
    ),
    Code.CELL_ERROR: (
        "Une cellule affiche #REF!, #DIV/0!, #VALEUR!… : une formule a été abîmée (souvent en supprimant "
        "des lignes ou des colonnes). Retapez la valeur à la main dans cette cellule."
    ),
    Code.PARAM_MISSING: (
        "Remplissez la cellule indiquée dans la feuille Paramètres : n° de coopérative, exercice "
        "(2025-2026) et les deux reports à nouveau au 1er septembre (0 s'il n'y avait rien)."
    ),
    Code.PARAM_INVALID: (
        "Corrigez la cellule indiquée dans Paramètres : l'exercice s'écrit avec deux années qui se "
        "suivent (2025-2026), un report s'écrit comme un nombre (1234,56), et la caisse ne peut pas "
        "commencer en négatif."
    ),
    Code.DATE_MISSING: "Tapez la date de l'opération dans la colonne D (jj/mm/aaaa, par exemple 15/09/2025).",
    Code.DATE_INVALID: (
        "La date ne peut pas être comprise (« 31/09 », « sept. », une faute de frappe). Retapez-la au "
        "format jj/mm/aaaa."
    ),
    Code.DATE_TEXT: (
        "Vérifiez que la date lue est la bonne (le rapport dit comment elle a été lue), puis retapez-la "
        "au format jj/mm/aaaa pour que le tableur la reconnaisse comme une date."
    ),
    Code.DATE_OUTSIDE_EXERCICE: (
        "L'exercice va du 1er septembre au 31 août. Corrigez l'année si c'est une faute de frappe ; "
        "sinon l'opération appartient au cahier de l'autre année : retirez-la de celui-ci."
    ),
    Code.TICK_TEXT: (
        "Dans la colonne A « Pointé », une date doit être une vraie date (jj/mm/aaaa), pas du texte : une ligne "
        "pointée après le 31 août était encore en attente au 31 août, et les formules du cahier ne le voient que "
        "si la date en est une. Retapez la date, ou mettez un x si la ligne figure sur le relevé du 31 août."
    ),
    Code.DATE_ORDER: (
        "Vérifiez la date (souvent une faute de frappe sur le mois ou l'année). Si elle est juste, "
        "rien n'oblige à corriger, mais un cahier tenu dans l'ordre des dates se pointe plus facilement."
    ),
    Code.LIBELLE_MISSING: (
        "Écrivez dans la colonne E, en quelques mots, ce qu'est l'opération (« Cotisations des familles CE1 »)."
    ),
    Code.AMOUNT_MISSING: (
        "Tapez le montant dans une des quatre colonnes H à K : Banque recette, Banque dépense, "
        "Caisse recette ou Caisse dépense. Si la ligne ne sert à rien, effacez-la entièrement."
    ),
    Code.AMOUNT_MULTIPLE: (
        "Une opération n'a qu'un montant, dans une seule colonne. Seuls les mouvements entre la banque "
        "et la caisse en ont deux : retrait (Banque dépense + Caisse recette) ou dépôt d'espèces "
        "(Caisse dépense + Banque recette). Sinon, faites deux lignes."
    ),
    Code.AMOUNT_INVALID: (
        "Tapez un nombre positif avec au plus deux chiffres après la virgule (12,50), sans signe moins : "
        "une dépense s'écrit dans une colonne « dépense »."
    ),
    Code.AMOUNT_TEXT: (
        "Le montant a été tapé comme du texte (« 12,50 € ») et lu quand même : vérifiez le chiffre lu, "
        "puis retapez le nombre seul, le symbole € s'affiche tout seul."
    ),
    Code.SPLIT_TEXT: (
        "Dans les colonnes des chapitres, tapez les montants comme des nombres (12,50), jamais comme du texte "
        "(« 12,50 € » collé d'un autre fichier) : les formules du cahier ne savent pas additionner du texte, et le "
        "Reste à ventiler, les totaux et la feuille CRF seraient faux. Retapez le nombre seul dans la cellule."
    ),
    Code.SPLIT_MISSING: (
        "Dites à quoi sert l'argent : choisissez un chapitre dans la colonne L (toute la somme va dans ce "
        "chapitre), ou répartissez le montant dans les colonnes des chapitres (M et suivantes)."
    ),
    Code.SPLIT_MISMATCH: (
        "Les parts tapées dans les colonnes des chapitres doivent faire exactement le montant de la ligne : "
        "la colonne « Reste à ventiler » doit afficher 0,00 €. Un écart multiple de 9 centimes vient souvent "
        "de deux chiffres inversés."
    ),
    Code.CHAPTER_CONFLICT: (
        "Utilisez l'une ou l'autre façon de ventiler, pas les deux : videz la colonne L « Chapitre » quand "
        "vous répartissez le montant dans les colonnes des chapitres."
    ),
    Code.CHAPTER_UNKNOWN: (
        "Choisissez le chapitre dans la liste déroulante de la colonne L, ou remettez le titre de colonne "
        "du modèle. La liste des chapitres et leur sens est dans la feuille « Mode d'emploi »."
    ),
    Code.CHAPTER_ROLLUP: (
        "Rien à corriger : un sous-compte (6181, 7562…) a été compté dans son chapitre (6180, 7560). "
        "Vérifiez seulement que c'est bien le chapitre voulu."
    ),
    Code.CHAPTER_REDUCTION: (
        "Rien à corriger si c'est un remboursement ou un avoir : l'avoir d'un fournisseur (une recette en 6…) "
        "est compté en moins de ses dépenses, une participation rendue à une famille ou une subvention reversée "
        "(une dépense en 7…) en moins de ses recettes. Sinon, changez le chapitre : une vraie recette va en 7…, "
        "une vraie dépense en 6…."
    ),
    Code.CHAPTER_NEGATIVE: (
        "Les remboursements ou avoirs d'un chapitre ne peuvent pas dépasser ce qu'il a reçu ou payé dans "
        "l'année. Vérifiez le chapitre et le montant des lignes citées ; un avoir ou un remboursement qui "
        "concerne l'an dernier s'inscrit en 7700 (recette) ou en 6700 (dépense)."
    ),
    Code.TRANSFER_INVALID: (
        "Un retrait ou un dépôt d'espèces s'écrit sur une seule ligne, avec le même montant des deux "
        "côtés, et sans chapitre : ce n'est ni une recette ni une dépense de la coopérative. Un retrait "
        "écrit sur deux lignes (Banque dépense puis Caisse recette) se regroupe sur la première ligne."
    ),
    Code.MODE_MISMATCH: (
        "Vérifiez la colonne du montant : un virement, une carte ou un prélèvement passe par la banque, "
        "des espèces par la caisse. Le mode ANNULÉ est réservé aux chèques annulés, sans montant. Rien à "
        "corriger si des espèces ont été déposées directement à la banque."
    ),
    Code.PIECE_MISSING: (
        "Numérotez la facture ou le reçu (1, 2, 3… ou R01, D01…), écrivez le numéro sur le papier et "
        "reportez-le dans la colonne B."
    ),
    Code.PIECE_DUPLICATE: (
        "Chaque justificatif a son propre numéro : changez l'un des deux (le rapport dit où est le premier). "
        "Seule une facture payée en plusieurs chèques ou en plusieurs fois garde un numéro sur plusieurs "
        "dépenses ; deux recettes (deux familles) ont chacune leur reçu."
    ),
    Code.CHEQUE_MISSING: "Recopiez le n° du chèque depuis le talon du chéquier dans la colonne F.",
    Code.CHEQUE_DUPLICATE: (
        "Un chèque ne paie qu'une dépense : vérifiez le numéro sur le talon du chéquier, ou supprimez "
        "la ligne saisie deux fois."
    ),
    Code.CASH_NEGATIVE: (
        "Une caisse ne peut pas contenir moins que rien : une recette en espèces a été oubliée, ou un "
        "retrait à la banque (Banque dépense + Caisse recette), ou une dépense a été mise en caisse au "
        "lieu de la banque. Vérifiez aussi le report caisse dans Paramètres."
    ),
    Code.BANK_NEGATIVE: (
        "Vérifiez les montants, les colonnes banque/caisse et le report banque dans Paramètres. "
        "Si le compte a vraiment été à découvert, signalez-le à l'association départementale."
    ),
    Code.DUPLICATE_LINE: (
        "Si l'opération a été saisie deux fois, supprimez une des lignes. Si ce sont deux opérations "
        "réelles (deux familles qui paient la même sortie le même jour), donnez à chacune son n° de pièce "
        "ou son n° de chèque : l'avertissement disparaît."
    ),
    Code.REPORT_AS_RECEIPT: (
        "Le report à nouveau (l'argent qui restait au 1er septembre) n'est pas une recette : inscrivez-le "
        "dans Paramètres (report banque, report caisse) et supprimez la ligne du Journal. C'est une erreur "
        "quand la recette a le montant d'un report de Paramètres et que son libellé parle de report ou de "
        "solde ; un avertissement quand une seule des deux choses est vraie (un « solde sortie », le solde "
        "d'une subvention ou d'une facture ne sont pas un report : rien à corriger)."
    ),
    Code.REGIE_OPEN: (
        "Une avance faite à un collègue (ligne « Régie Nom », sans chapitre) se solde par une recette "
        "« Retour régie Nom » du montant total de l'avance (espèces rendues + tickets), puis une ligne "
        "ventilée par dépense justifiée. Écrivez le nom de la même façon sur l'avance et sur le retour."
    ),
    Code.INVENTORY_MISSING: (
        "Ajoutez le matériel dans la feuille Inventaire : date d'achat, n° de pièce (le même que dans le "
        "Journal), désignation et valeur."
    ),
    Code.SUBVENTION_UNTRACED: (
        "Chaque subvention reçue (chapitres 7410 et 7420) doit figurer dans la feuille Subventions avec son "
        "organisme, son objet et son montant : complétez-la pour que les totaux soient égaux."
    ),
    Code.CRA_INVALID: (
        "Dans la feuille CRA, tapez chaque effectif (classes, élèves, adultes, conseils de coopérative) comme un "
        "nombre entier, sans texte autour : « 24 », pas « 24 élèves » ni « environ 24 »."
    ),
    Code.QUITUS_INVALID: (
        "Dans Paramètres, tapez la date à laquelle chacun a signé le quitus, sous la forme jj/mm/aaaa : après le "
        "31 août de l'exercice (le quitus se signe une fois l'année close), jamais une date à venir, et avec le "
        "nom de la personne sur la ligne du dessus (pour le mandataire, la ligne « Mandataire »). Laissez la date "
        "vide tant que le quitus n'est pas signé. Une date non valable ne compte pas : le quitus reste « non signé »."
    ),
    Code.REPORT_DISCONTINUITY: (
        "Le report à nouveau de Paramètres doit être le solde du 31 août de l'an dernier, tel que le cahier "
        "accepté l'a arrêté (banque du cahier, caisse comptée). Recopiez le chiffre que donne le rapport, ou "
        "partez du cahier préparé par « cahier nouvel-exercice », où il est déjà rempli. Si l'an dernier était "
        "faux, voyez-le avec l'association départementale plutôt que de changer le report."
    ),
    Code.OUTSTANDING_DROPPED: (
        "Un chèque ou une remise pas encore passé en banque au 31 août de l'an dernier doit figurer dans la "
        "feuille « En attente » (le cahier préparé l'y met) : pointez-le quand il apparaît sur le relevé. "
        "S'il a été annulé, gardez-le dans « En attente » et écrivez-le dans le libellé."
    ),
    Code.RAPPROCHEMENT_MISMATCH: (
        "Pointez (colonne A) chaque ligne que vous retrouvez sur les relevés de la banque ; le rapport dit "
        "l'écart qui reste. Cherchez une opération du relevé absente du cahier (frais bancaires, "
        "prélèvement), un montant mal tapé, ou un solde au 31 août mal recopié dans Paramètres."
    ),
    Code.CAISSE_ECART: (
        "Recomptez les billets et les pièces dans la feuille « Arrêté de caisse », puis cherchez une "
        "recette ou une dépense en espèces oubliée ou saisie en banque."
    ),
    Code.COOP_MISMATCH: (
        "Le cahier a été enregistré dans le dossier d'une autre coopérative : il n'a pas été pris. "
        "Enregistrez-le dans le dossier de votre coopérative, ou corrigez le n° dans Paramètres s'il est faux."
    ),
}


def gravite(code: Code) -> str:
    """``erreur`` (the cahier is refused until it is fixed) or ``avertissement`` (accepted; to check); both for a
    code whose findings carry their own severity (``model.SEVERITY_VARIES``)."""
    if code in SEVERITY_VARIES:
        return f"{GRAVITE[Severity.ERROR]} ou {GRAVITE[Severity.WARNING]}"
    return GRAVITE[code.severity]


def conseil(code: Code) -> str:
    return CONSEILS[code]


def md_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def codes_table() -> str:
    """The finding codes as a Markdown table (French): code, gravité, what it means, what to do."""
    lines = [
        "| Code | Gravité | Ce que cela veut dire | Que faire |",
        "|---|---|---|---|",
    ]
    for code in Code:
        lines.append(
            f"| `{code.value}` | {gravite(code)} | {md_cell(code.titre)} | {md_cell(conseil(code))} |",
        )
    return "\n".join(lines) + "\n"
