"""Sheet 1, « Mode d'emploi »: how to fill the cahier, the colour legend, the chapters with their meaning."""

from __future__ import annotations

from xlsxwriter.worksheet import Worksheet

from workbook_tools import layout as L
from workbook_tools.chart import Chart
from workbook_tools.template.common import (
    CHECK_FILL,
    COMPUTED_GREY,
    ERROR_FILL,
    ERROR_FONT,
    GRID,
    PROTECTION,
    Styles,
    page_setup,
    wrapped_lines,
)

# ---------------------------------------------------------------------------
# 1. Mode d'emploi

_GUIDE_WIDTHS = (2, 10, 30, 78)  # A margin, B code, C label, D meaning
_GUIDE_TEXT_WIDTH = sum(_GUIDE_WIDTHS[1:])

_GUIDE: list[tuple[str, str]] = [
    ("h", "À quoi sert ce cahier"),
    (
        "p",
        "Ce classeur est le cahier de comptes de la coopérative scolaire, pour une année scolaire "
        "(l'exercice va du 1er septembre au 31 août). Vous le remplissez au fil de l'année dans Excel ou "
        "LibreOffice ; le compte-rendu financier (feuille CRF) se calcule tout seul pendant que vous tapez.",
    ),
    (
        "p",
        "Règle d'or : on ne remplit que les cellules blanches. Les cellules grises ou bleues sont calculées "
        "ou sont des titres : elles sont protégées (sans mot de passe) pour éviter de les effacer par mégarde.",
    ),
    ("h", "1. Avant de commencer : la feuille Paramètres"),
    (
        "p",
        "Indiquez le numéro de la coopérative, son nom, la commune, le mandataire et l'exercice "
        "(par exemple 2025-2026). Inscrivez le report à nouveau au 1er septembre : le solde de la banque et "
        "celui de la caisse, repris du compte-rendu de l'an dernier.",
    ),
    (
        "p",
        "Attention : le report à nouveau se saisit UNIQUEMENT dans Paramètres. Ce n'est pas une recette : "
        "ne l'inscrivez jamais comme une ligne du Journal.",
    ),
    (
        "p",
        "Cahier préparé par le service départemental : Paramètres et Inventaire sont déjà remplis, et la feuille "
        "« En attente » reprend les chèques et remises de l'an dernier pas encore passés en banque au 31 août. "
        "Pointez-les (colonne A) quand ils apparaissent sur le relevé ; ne les recopiez pas dans le Journal.",
    ),
    ("h", "2. Une ligne du Journal par opération"),
    (
        "p",
        "Colonne B — N° pièce : numérotez chaque justificatif (facture, ticket, reçu) et écrivez ce numéro "
        "sur le papier : 1, 2, 3… ou R01, R02… pour les recettes et D01, D02… pour les dépenses. "
        "La numérotation recommence chaque année. Une facture payée en plusieurs chèques ou en plusieurs fois "
        "garde son numéro sur chaque ligne ; deux recettes (deux familles) ont chacune leur reçu.",
    ),
    (
        "p",
        "Colonne C — Mode : choisissez dans la liste CHQ (chèque), VIR (virement), CB (carte), "
        "ESP (espèces), PRLV (prélèvement), ANNULÉ (chèque annulé, voir plus bas). Un virement, une carte ou un "
        "prélèvement va en banque, des espèces en caisse.",
    ),
    ("p", "Colonne D — Date (obligatoire) : une vraie date au format jj/mm/aaaa, par exemple 15/09/2025."),
    ("p", "Colonne E — Libellé (obligatoire) : ce que c'est, en quelques mots (« Cotisations des familles CE1 »)."),
    ("p", "Colonne F — N° chèque : le numéro de chaque chèque émis."),
    (
        "p",
        "Colonne G — Action : le projet ou l'activité (« Sortie zoo CE1 »). Écrivez-le toujours de la même "
        "façon : la feuille CRA fait le total des recettes et des dépenses de chaque action.",
    ),
    (
        "p",
        "Colonnes H à K — le montant, dans UNE seule colonne : Banque recette, Banque dépense, Caisse recette "
        "ou Caisse dépense. Tapez le nombre seul (12,50) : le symbole € s'affiche tout seul.",
    ),
    ("h", "3. Ventiler la ligne dans un chapitre : deux façons"),
    (
        "p",
        "Ventilation automatique (le cas le plus fréquent) : si toute la somme va dans un seul chapitre, "
        "choisissez-le dans la liste de la colonne L « Chapitre ». C'est tout.",
    ),
    (
        "p",
        "Visualisation classique : si une même opération concerne plusieurs chapitres, laissez la colonne L "
        "vide et tapez chaque part dans la colonne de son chapitre (colonnes M et suivantes). Exemple : le "
        "chèque d'affiliation à l'OCCE se partage entre 6281 Cotisation OCCE et 6282 Assurance.",
    ),
    (
        "p",
        "La dernière colonne, « Reste à ventiler », doit afficher 0,00 € : elle devient rouge quand les parts "
        "ne font pas le total du montant de la ligne.",
    ),
    ("h", "4. Mouvements entre la banque et la caisse (sans chapitre)"),
    (
        "p",
        "Retrait d'espèces à la banque pour alimenter la caisse : sur UNE seule ligne, le même montant en "
        "Banque dépense (I) et en Caisse recette (J), sans chapitre.",
    ),
    (
        "p",
        "Dépôt des espèces de la caisse à la banque : sur UNE seule ligne, le même montant en Caisse dépense "
        "(K) et en Banque recette (H), sans chapitre. Ce ne sont ni des recettes ni des dépenses de la "
        "coopérative : elles ne vont dans aucun chapitre.",
    ),
    ("h", "5. Remboursements, avoirs, frais, chèques impayés ou annulés, régies"),
    (
        "p",
        "Remboursement à une famille (sortie annulée) : une dépense rangée dans le chapitre où la participation "
        "avait été reçue (7080, 7560). Subvention reversée : une dépense en 7410 ou 7420 (dans la feuille "
        "Subventions, inscrivez le montant finalement gardé). Avoir d'un fournisseur : une recette dans le "
        "chapitre de la dépense (6180…). Ces lignes sont comptées en moins de leur chapitre (avertissement "
        "« remboursement ou avoir ? », rien à corriger) ; un chapitre ne peut pas finir l'année en négatif.",
    ),
    (
        "p",
        "Frais bancaires : une Banque dépense (mode PRLV) au chapitre 6500. Chèque impayé (le chèque d'une famille "
        "rejeté par la banque) : une Banque dépense du montant du chèque, dans le chapitre de la recette "
        "d'origine (7560, 7080…), libellé « Chèque impayé famille … » ; les frais de rejet sur une autre ligne en "
        "6500 ; quand la famille paie à nouveau, une nouvelle recette.",
    ),
    (
        "p",
        "Chèque annulé (abîmé, mal rempli) : gardez sa ligne pour suivre les numéros du chéquier — date, libellé, "
        "n° du chèque en colonne F, Mode ANNULÉ (ou le mot « annulé » dans le libellé), et aucun montant ni "
        "chapitre. Il n'est compté nulle part et figure dans le compte-rendu. Son numéro ne se réutilise pas.",
    ),
    (
        "p",
        "Régie d'avance (espèces confiées à un collègue pour une sortie) : une Caisse dépense (ou une Banque "
        "dépense s'il s'agit d'un chèque) libellée « Régie » suivi du nom du collègue (« Régie Mme Dupont »), "
        "sans chapitre. À son retour : une Caisse recette « Retour régie Mme Dupont » du montant total de "
        "l'avance (espèces rendues + tickets), sans chapitre ; puis une Caisse dépense par ticket, ventilée dans "
        "son chapitre. Une régie non soldée au 31 août est signalée.",
    ),
    ("h", "6. Pointer le relevé bancaire"),
    (
        "p",
        "Quand une opération apparaît sur le relevé de la banque, mettez un x (ou la date du relevé) dans la "
        "colonne A « Pointé ». Les lignes non pointées expliquent l'écart entre le relevé et le cahier. Une "
        "ligne pointée d'une date après le 31 août n'était pas encore passée au 31 août : elle compte comme "
        "non pointée dans le rapprochement. Une cellule qui ne contient que des espaces n'est pas pointée.",
    ),
    ("h", "7. À la fin de l'année (31 août)"),
    (
        "p",
        "Saisissez dans Paramètres le solde du relevé bancaire au 31 août. Comptez les billets et les pièces "
        "de la caisse dans la feuille « Arrêté de caisse ». Remplissez l'Inventaire (achats du chapitre 6800), "
        "le tableau des Subventions et le CRA (compte-rendu d'activités).",
    ),
    (
        "p",
        "La feuille CRF montre alors le compte de fonctionnement, le bilan, le rapprochement bancaire et "
        "l'arrêté de caisse : chaque contrôle doit afficher OK. Sinon, l'écart est indiqué en rouge.",
    ),
    (
        "p",
        "Pour les vérificateurs aux comptes et l'assemblée générale, imprimez la feuille « Journal » du compte-rendu "
        "financier (le fichier NOM.crf.xlsx que le service dépose à côté du cahier accepté) : elle ne contient que "
        "les lignes de l'année, lisibles, avec leurs chapitres et les totaux. La feuille Journal de ce cahier "
        "s'imprime aussi, en plusieurs pages de large (les colonnes Pointé à Libellé répétées sur chaque page, sans "
        "le Reste à ventiler) ; Excel y imprime les 1 000 lignes préparées, LibreOffice les lignes remplies.",
    ),
    (
        "p",
        "Le quitus : quand les deux vérificateurs aux comptes et le mandataire ont signé la page « Quitus » du "
        "compte-rendu financier, tapez leurs noms et les dates de signature dans Paramètres, puis enregistrez le "
        "cahier à nouveau : le département le voit alors « signé ».",
    ),
    ("h", "Les couleurs"),
]

_CHAPTER_INTRO = (
    "Les chapitres de ventilation (plan comptable des coopératives scolaires). Les charges (6…) sont les "
    "dépenses, les produits (7…) sont les recettes."
)


def write_guide(ws: Worksheet, st: Styles, chart: Chart) -> None:
    for i, w in enumerate(_GUIDE_WIDTHS):
        ws.set_column(i, i, w)
    ws.hide_gridlines(2)
    page_setup(ws, landscape=True)
    ws.write_string(0, 1, "Cahier de comptes de la coopérative scolaire — mode d'emploi", st.title())
    ws.write_string(1, 1, f"Modèle version {L.TEMPLATE_VERSION}", st.note())
    row = 3
    para = st.label()
    head = st.subtitle()
    for kind, text in _GUIDE:
        if kind == "h":
            row += 1
            ws.set_row(row, 20)
            ws.write_string(row, 1, text, head)
        else:
            ws.merge_range(row, 1, row, 3, text, para)
            ws.set_row(row, 15 * wrapped_lines(text, _GUIDE_TEXT_WIDTH))
        row += 1

    legend = [
        st.input(),
        st.computed(),
        st.header(),
        st.get(bg_color=ERROR_FILL, font_color=ERROR_FONT, border=1, border_color=GRID),
        st.get(bg_color=CHECK_FILL, border=1, border_color=GRID),
    ]
    samples = ["", "0,00 €", "Titre", "10,00 €", ""]
    legend_text = [
        "Cellule blanche : à remplir.",
        "Cellule grise : calculée automatiquement, ne rien y taper.",
        "Cellule bleue : titre de colonne ou de tableau, protégé.",
        "Rouge : à corriger (par exemple une ventilation qui ne fait pas le total, une date écrite comme du texte).",
        "Orange : à vérifier (une ligne avec un montant mais sans date ou sans libellé).",
    ]
    for fmt, sample, text in zip(legend, samples, legend_text, strict=True):
        ws.write_string(row, 1, sample, fmt)
        ws.merge_range(row, 2, row, 3, text, para)
        row += 1

    row += 1
    ws.set_row(row, 20)
    ws.write_string(row, 1, "Les chapitres", head)
    row += 1
    ws.merge_range(row, 1, row, 3, _CHAPTER_INTRO, para)
    ws.set_row(row, 15 * wrapped_lines(_CHAPTER_INTRO, _GUIDE_TEXT_WIDTH))
    row += 1
    hdr = st.header(align="left")
    for col, text in ((1, "Code"), (2, "Chapitre"), (3, "Ce qu'on y met")):
        ws.write_string(row, col, text, hdr)
    row += 1
    cell = st.get(border=1, border_color=GRID, text_wrap=True, valign="top")
    code_fmt = st.get(border=1, border_color=GRID, valign="top", bold=True)
    for group, chapitres in (("Charges (dépenses)", chart.charges), ("Produits (recettes)", chart.produits)):
        ws.merge_range(row, 1, row, 3, group, st.get(bold=True, bg_color=COMPUTED_GREY, border=1, border_color=GRID))
        row += 1
        for c in chapitres:
            ws.write_string(row, 1, c.code, code_fmt)
            ws.write_string(row, 2, c.libelle, cell)
            ws.write_string(row, 3, c.definition, cell)
            ws.set_row(
                row, 15 * max(wrapped_lines(c.definition, _GUIDE_WIDTHS[3]), wrapped_lines(c.libelle, _GUIDE_WIDTHS[2]))
            )
            row += 1
    ws.protect("", PROTECTION)
