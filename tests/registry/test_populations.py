"""Reading which populations a split listing's entry covers (``permits.registry.sources.populations``), on the
phrasings of the real exports in ../shared/data: the 2017 Checklist Index (short and legal texts, and its
French and Spanish columns), the Species+ reptile listings of 2023 and the Species+ API responses of 2022 (some
in French). What cannot be read with certainty must come out unread, never as a shorter list."""

from __future__ import annotations

import pytest

from permits.registry.sources.populations import ALL, Kind, Populations, complement, read_populations

BIG_FOUR = ("BW", "NA", "ZA", "ZW")
NILE_CROCODILE = ("BW", "EG", "ET", "KE", "MG", "MW", "MZ", "NA", "TZ", "UG", "ZA", "ZM", "ZW")


def only(*countries: str, partial: tuple[str, ...] = ()) -> Populations:
    return Populations(Kind.ONLY, countries, partial)


def except_(*countries: str, partial: tuple[str, ...] = ()) -> Populations:
    return Populations(Kind.EXCEPT, countries, partial)


UNREAD = Populations(Kind.UNREAD)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The populations covered, by name or code (Checklist Index, Species+).
        ("Population of India", only("IN")),
        ("Only the population of India; all other populations are included in Appendix II.", only("IN")),
        ("Populations of Botswana, Namibia, South Africa and Zimbabwe", only(*BIG_FOUR)),
        ("Populations of BW, NA, ZA, ZW ", only(*BIG_FOUR)),
        ("Popns of BT, CN, MN, MX.", only("BT", "CN", "MN", "MX")),
        ("Population of IN.", only("IN")),
        ("Population of BR and population of EC.", only("BR", "EC")),
        ("Population of AR; included in CROCODYLIA spp.", only("AR")),
        ("Population of Argentina (Included in CROCODYLIA spp.)", only("AR")),
        ("SZ and ZA populations only. For the exclusive purpose of allowing international trade in live animals "
         "to appropriate and acceptable destinations and in hunting trophies.", only("SZ", "ZA")),
        ("The populations of Afghanistan, Bhutan, India, Myanmar, Nepal and Pakistan are included in Appendix I. "
         "All other populations are included in Appendix II.", only("AF", "BT", "IN", "MM", "NP", "PK")),
        ("Only the population of Mexico is included in Appendix I. No other population is included in the "
         "Appendices.", only("MX")),
        ("Only the population of the Russian Federation; no other population is included in the Appendices.",
         only("RU")),
        ("Only the populations of Algeria, Burkina Faso, Cameroon, the Central African Republic, Chad, Mali, "
         "Mauritania, Morocco, the Niger, Nigeria, Senegal and the Sudan are included in Appendix I. No other "
         "population is included in the Appendices.",
         only("BF", "CF", "CM", "DZ", "MA", "ML", "MR", "NE", "NG", "SD", "SN", "TD")),
        ("Populations of Burundi, Ethiopia, Kenya, Rwanda, Uganda and the United Republic of Tanzania.",
         only("BI", "ET", "KE", "RW", "TZ", "UG")),
        ("Populations of Mozambique, South Africa, Swaziland and Zimbabwe.", only("MZ", "SZ", "ZA", "ZW")),
        # Notes on a country that do not limit its population: quotas, purposes, "the whole population".
        ("Population of: BW, EG (with a zero quota for wild specimenstraded for commercial purposes) ET, KE, MG, "
         "MW, MZ, NA, TZ(subject to an annual export quota of no more than 1,600 wildspecimens including hunting "
         "trophies, in addition to ranched specimens), UG, ZA, ZM, ZW. ", only(*NILE_CROCODILE)),
        ("Populations of Botswana, Egypt (subject to a zero quota for wild specimens traded for commercial "
         "purposes), Ethiopia, Kenya, Madagascar, Malawi, Mozambique, Namibia, South Africa, Uganda, the United "
         "Republic of Tanzania (subject to an annual export quota of no more than 1,600 wild specimens including "
         "hunting trophies, in addition to ranched specimens), Zambia and Zimbabwe.", only(*NILE_CROCODILE)),
        ("Only the population of Belize, which is included in Appendix II with a zero quota for wild specimens "
         "traded for commercial purposes, and the population of Mexico.", only("BZ", "MX")),
        ("Population of Argentina, included in CROCODYLIA spp., and population of Brazil, included in CROCODYLIA "
         "spp. and subject to a zero annual export quota for wild specimens traded for commercial purposes.",
         only("AR", "BR")),
        ("Only the populations of Australia, Indonesia, Malaysia [wild harvest restricted to the State of Sarawak "
         "and a zero quota for wild specimens for the other States of Malaysia (Sabah and Peninsular Malaysia), "
         "with no change in the zero quota unless approved by the Parties] and Papua New Guinea; all other "
         "populations are included in Appendix I.", only("AU", "ID", "MY", "PG")),
        # The populations left out.
        ("All populations except those of BW, NA, ZA, and ZW.", except_(*BIG_FOUR)),
        ("Except the population of IN.", except_("IN")),
        ("Except population of AR.", except_("AR")),
        ("All populations except that of ID (ranching).", except_("ID")),
        ("All populations except those of the United States and Mexico.", except_("MX", "US")),
        ("Except the population of India, which is included in Appendix I.", except_("IN")),
        ("Included in Appendix I, except the populations of Botswana, Egypt (subject to a zero quota for wild "
         "specimens traded for commercial purposes), Ethiopia, Kenya, Madagascar, Malawi, Mozambique, Namibia, "
         "South Africa, Uganda, the United Republic of Tanzania (subject to an annual export quota of no more "
         "than 1,600 wild specimens including hunting trophies, in addition to ranched specimens), Zambia and "
         "Zimbabwe, which are included in Appendix II", except_(*NILE_CROCODILE)),
        ("Included in Appendix I, except for the population of Brazil, which is included in Appendix II, and the "
         "population of Ecuador, which is included in Appendix II and is subject to a zero annual export quota "
         "until an annual export quota has been approved by the CITES Secretariat and the IUCN/SSC Crocodile "
         "Specialist Group.", except_("BR", "EC")),
        ("Except the populations of SZ and ZA, for the exclusive purpose of allowing international trade in live "
         "animals to appropriate and acceptable destinations and in hunting trophies. All other specimens shall "
         "be deemed to be specimens of species included in Appendix I", except_("SZ", "ZA")),
        ("[FAMILY listing Felidae spp.] Included in Felidae spp. except the populations of Costa Rica and Panama, "
         "which are included in Appendix I. Specimens of the domesticated form are not subject to the provisions "
         "of the Convention.", except_("CR", "PA")),
        ("Except the populations of Bhutan, India, Nepal and Pakistan, which are included in Appendix I. Excludes "
         "the domesticated form and the dingo which are referenced as <i>Canis lupus familiaris</i> and <i>Canis "
         "lupus dingo</i>.", except_("BT", "IN", "NP", "PK")),
        # Country names as the Appendices write them.
        ("Populations of the Plurinational State of Bolivia, Bolivia (Plurinational State of), Côte d'Ivoire, "
         "Viet Nam and the Russian Federation", only("BO", "CI", "RU", "VN")),
        ("Populations of the United States of America, Venezuela (Bolivarian Republic of), Iran (Islamic Republic "
         "of), Turkey and the Lao People's Democratic Republic", only("IR", "LA", "TR", "US", "VE")),
        # French (Species+ API responses requested in French; the Index's AnnotationFrench) and Spanish.
        ("Sauf les populations de l'Afrique du Sud, du Botswana, de la Namibie et du Zimbabwe, qui sont inscrites "
         "à l'Annexe II.", except_(*BIG_FOUR)),
        ("Toutes les populations sauf celles de BW, NA, ZA et ZW.", except_(*BIG_FOUR)),
        ("Populations de BT, IN, NP, PK. Exclure la forme domestiquée et le dingo.", only("BT", "IN", "NP", "PK")),
        ("Populations du Botswana, de la Namibie et du Zimbabwe: A seule fin de permettre l'exportation: 1) de "
         "trophées de chasse à des fins non commerciales; 2) d'animaux vivants", only("BW", "NA", "ZW")),
        ("Poblaciones de Botswana, Namibia, Sudáfrica y Zimbabwe", only(*BIG_FOUR)),
        ("Todas las poblaciones, excepto los de BW, NA, ZA y ZW.", except_(*BIG_FOUR)),
        ("Población de: BW, EG (con un cupo nulo para los especímenessilvestres comercializados con fines "
         "comerciales) ET, KE, MG,MW, MZ, NA, TZ (sujetas a un cupo de exportación anual de nomás de 1.600 "
         "especímenes silvestres, incluidos los trofeos decaza, además de los especímenes criados en granjas), "
         "UG, ZA,ZM, ZW.", only(*NILE_CROCODILE)),
        # A list that ends with a colon opens the purpose, which may speak of populations; lists add up.
        ("Populations de l'Afrique du Sud, du Botswana et de la Namibie: A seule fin de permettre: 1) les "
         "transactions non commerciales; iii) pas avant que MIKE ait communiqué (effectifs des populations "
         "d'éléphants, etc.). Population du Zimbabwe: A seule fin de permettre: 1) l'exportation de trophées",
         only(*BIG_FOUR)),
        ("The populations of Botswana, Namibia, South Africa and Zimbabwe are listed in Appendix II for the "
         "exclusive purpose of allowing: a) trade in hunting trophies; h) no further proposals to allow trade in "
         "elephant ivory from populations already in Appendix II; the Standing Committee can decide to cause "
         "this trade to cease in the case of proven detrimental impacts of the trade on other elephant "
         "populations.", only(*BIG_FOUR)),
    ],
)  # fmt: skip
def test_lists_of_countries_are_read(text: str, expected: Populations) -> None:
    assert read_populations(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "All populations.",
        "All populations",
        "Toutes les populations",
        "Included in Felidae spp.",
        "",
        # Asides on quotas name a population but limit no listing.
        "Except the species included in Appendix I. Zero annual export quota for live specimens from the Black "
        "Sea population of Tursiops truncatus removed from the wild and traded for primarily commercial purposes.",
        "For <i>Panthera leo</i> (African populations): a zero annual export quota is established for specimens "
        "of bones, bone pieces, bone products, claws, skeletons, skulls and teeth removed from the wild and traded "
        "for commercial purposes. Annual export quotas ... derived from captive breeding operations in South "
        "Africa, will be established and communicated annually to the CITES Secretariat.",
    ],
)
def test_all_populations(text: str) -> None:
    assert read_populations(text) == ALL
    assert read_populations(None) == ALL


@pytest.mark.parametrize(
    ("text", "appendix"),
    [
        ("All populations except those included in Appendix II.", "II"),
        ("All populations except those included in Appendix I. Excludes the domesticated form and the dingo "
         "which are referenced as <i>Canis lupus familiaris</i> and <i>Canis lupus dingo</i>. ", "I"),
        ("Toutes les populations sauf celles inscrites à l'Annexe II. ", "II"),
        ("Toutes les populations sauf celles de l'Annexe II. ", "II"),
        ("Todas las poblaciones, excepto las incluidas en el Apéndice II. ", "II"),
    ],
)  # fmt: skip
def test_all_populations_but_another_entrys(text: str, appendix: str) -> None:
    assert read_populations(text) == Populations(Kind.OTHERS, appendix=appendix)


@pytest.mark.parametrize(
    "text",
    [
        # Places that are not countries.
        "Black Sea population",
        "Populations of West Africa",
        "Only the population of Asia.",
        "Only the population of Asia; all other populations are included in Appendix II.",
        "Except Asian population",
        "Except the Asian population, which is included in Appendix I.",
        "All populations in the Americas.",
        "Neotropical populations.",
        "The populations of the Americas are included in Appendix II. No other population is included in the "
        "Appendices.",
        "Only the populations of Central and North America; all other populations are included in Appendix II.",
        "Population of Europe excluding the area that formerly constituted the USSR.",
        "Only the population of Europe, except the area which formerly constituted the Union of Soviet Socialist "
        "Republics; these latter populations are not included in the Appendices.",
        "Population of West Greenland.",
        "Except the population of West Greenland, which is included in Appendix II.",
        "Except stock of west Greenland.",
        "Populations of Botswana and the Zambezi region",
        "Population of Atlantis",
        # Populations of another taxon.
        "All species and populations except SZ and ZA populations of <i>Ceratotherium simum simum</i>",
        "Except SZ and ZA popns of <i>Ceratotherium simum simum</i>.",
        "Except <i>A. c. microdon</i> (populations of CM and NG)",
        "Except the species included in Appendix I (<i>Catagonus wagneri</i>) and the populations of <i>Pecari "
        "tajacu</i> of Mexico and the United States of America, which are not included in the Appendices.",
        "Included in <i>Antilocapra americana</i> (popn of MX only).",
        "Replaced by Central and North American populations of Puma yagouaroundi.",
        'Replaced by "Falco newtoni, population of Seychelles".',
        "All populations now on Appendix I with Cheloniidae spp.",
        # A word of the list or a note that cannot be placed; a quota naming another country.
        "Except the populations of X, Y and Z (included in Appendix II)",
        "Populations of Botswana, with a zero quota for Namibia",
        "Except Asian population, with a zero quota for wild specimens",
        # A note after a country that goes on into a list: a place it cannot read is not swallowed by the note.
        "Only the populations of India, which is included in Appendix I, and Asia",
        "Populations of Belize, which is included in Appendix II with a zero quota, and of Central America",
        # A statement that names no population but opens with a country: the list may go on there.
        "Populations of BW, NA; ZA",
        "Populations of BW and NA. ZA and ZW",
        "Populations of BW, NA. IN Asia too",
        "ZA; populations of BW and NA",
        # Statements that disagree, and a tail with no list before it.
        "Populations of BW and NA. All populations except those of ZA.",
        "All other populations are included in Appendix II.",
    ],
)
def test_what_cannot_be_read_with_certainty_is_unread(text: str) -> None:
    reading = read_populations(text)
    assert reading == UNREAD and reading.scope() == ((), (), True)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Parts of populations of AR and CL, and the populations of BO, PE and EC.",
         only("BO", "EC", "PE", partial=("AR", "CL"))),
        ("Certaines population d'AR et du CL et les populations de BO, PE et EC. ",
         only("BO", "EC", "PE", partial=("AR", "CL"))),
        ("Partes de las poblaciones de AR y CL y las poblaciones de BO, PE y EC. ",
         only("BO", "EC", "PE", partial=("AR", "CL"))),
        ("Part of the population of CO, and the population of CU.", only("CU", partial=("CO",))),
        ("Only the populations of Argentina (the populations of the Provinces of Jujuy and Catamarca and the "
         "semi-captive populations of the Provinces of Jujuy, Salta, Catamarca, La Rioja and San Juan), Chile "
         "(population of the Primera Región), Ecuador (the whole population), Peru (the whole population) and the "
         "Plurinational State of Bolivia (the whole population); all other populations are included in Appendix "
         "I.", only("BO", "EC", "PE", partial=("AR", "CL"))),
        ("Except the populations of: Argentina (the populations of the Provinces of Jujuy and Catamarca and the "
         "semi-captive populations of the Provinces of Jujuy, Salta, Catamarca, La Rioja and San Juan), Chile "
         "(population of the Primera Región), Ecuador (the whole population), Peru (the whole population) and the "
         "Plurinational State of Bolivia (the whole population), which are included in Appendix II.",
         except_("BO", "EC", "PE", partial=("AR", "CL"))),
        ("Except the populations of Australia, Indonesia, Malaysia [wild harvest restricted to the State of "
         "Sarawak and a zero quota for wild specimens for the other States of Malaysia (Sabah and Peninsular "
         "Malaysia), with no change in the zero quota unless approved by the Parties], Papua New Guinea and the "
         "Philippines [population of the Palawan Islands only, subject to a zero annual export quota for wild "
         "specimens traded for commercial purposes], which are included in Appendix II.",
         except_("AU", "ID", "MY", "PG", partial=("PH",))),
        ("Population of the Integrated Management District of Mangroves of the Bay of Cispata, Tinajones, La "
         "Balsa and Surrounding Areas, Department of Córdoba, Colombia, and the population of Cuba; and the "
         "population of Mexico, which is subject to a zero export quota for wild specimens for commercial "
         "purposes", only("CU", "MX", partial=("CO",))),
        ("Population of MX only (Populations of CA & US removed).", only(partial=("MX",))),
        # A note not known to leave a country's population whole.
        ("Populations of Botswana (Okavango) and Namibia", only("NA", partial=("BW",))),
    ],
)  # fmt: skip
def test_a_country_named_in_part_is_never_left_out_and_unreads_a_list_of_the_populations_covered(
    text: str, expected: Populations
) -> None:
    reading = read_populations(text)
    assert reading == expected
    if reading.kind is Kind.ONLY:
        assert reading.scope() == ((), (), True)
    else:
        assert reading.scope() == ((), reading.countries, False)


def test_all_populations_but_another_entrys_leaves_out_that_entrys_whole_countries() -> None:
    others = Populations(Kind.OTHERS, appendix="II")
    nile = read_populations("Population of: BW, EG (zero quota) ET, KE, MG, MW, MZ, NA, TZ, UG, ZA, ZM, ZW.")
    assert complement(others, [nile]) == except_(*NILE_CROCODILE)
    vicugna = read_populations("Parts of populations of AR and CL, and the populations of BO, PE and EC.")
    assert complement(others, [vicugna]).scope() == ((), ("BO", "EC", "PE"), False)
    for unknown in ([], [UNREAD], [ALL], [except_("IN")], [nile, nile]):
        assert complement(others, unknown) == others and others.scope() == ((), (), False)
    assert complement(only("IN"), [nile]) == only("IN")


def test_long_runs_of_full_stops_are_read_statement_by_statement() -> None:
    # Each full stop looks only at the word before it and the character after (a long run stays linear).
    assert read_populations("Population of India. " + "Conf. no. " * 20_000 + "x.") == only("IN")
    assert read_populations("Population of India" + ". x" * 20_000) == only("IN")
    assert read_populations("Population of India" + ". x" * 20_000 + ". ZA") == UNREAD
