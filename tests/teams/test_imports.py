"""The area and statistics imports: all or nothing, with a line-by-line report."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from teams import services
from teams.imports import expand_postcodes
from teams.models import AreaStatistics, District, Municipality, Neighbourhood, Postcode
from tests.factories import DistrictFactory, NeighbourhoodFactory, PostcodeFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(services.__file__).parent / "fixtures"
HEADER = "gemeentecode;gemeentenaam;wijkcode;wijknaam;buurtcode;buurtnaam;postcodes\n"
STATS_HEADER = (
    "gebiedscode;jaar;inwoners;huishoudens;eenoudergezinnen_pct;laag_inkomen_pct;"
    "65plus_pct;jonger_dan_18_pct\n"
)


def counts():
    return (
        Municipality.objects.count(),
        District.objects.count(),
        Neighbourhood.objects.count(),
        Postcode.objects.count(),
    )


def test_expand_postcodes_ranges_singles_and_never_issued_letters():
    assert expand_postcodes("5611AA-5611AC") == ["5611AA", "5611AB", "5611AC"]
    assert expand_postcodes("5611 ab, 5612ZZ") == ["5611AB", "5612ZZ"]
    # SA, SD and SS are never issued, so a range skips them
    around_s = expand_postcodes("5611RZ-5611ST")
    assert "5611SA" not in around_s and "5611SB" in around_s and "5611SS" not in around_s
    assert len(expand_postcodes("5611AA-5612ZZ")) == 2 * (676 - 3)


def test_sample_file_imports_and_reimporting_changes_nothing():
    content = (FIXTURES / "areas-sample.csv").read_text()
    result = services.areas_import(content=content)
    assert (result.municipalities_created, result.districts_created) == (1, 4)
    assert result.neighbourhoods_created == 8
    assert result.postcodes_created == 145 == Postcode.objects.count()
    assert Postcode.objects.get(postcode="5644AB").neighbourhood.code == "BU09990402"

    before = counts()
    again = services.areas_import(content=content)
    assert counts() == before
    assert (again.postcodes_created, again.postcodes_unchanged) == (0, 145)


def test_bad_rows_reject_the_whole_file_line_by_line_and_change_nothing():
    NeighbourhoodFactory(code="BU09990199", district__code="WK099901")
    DistrictFactory(code="WK099905", municipality__code="GM0998")
    PostcodeFactory(postcode="5611AB", neighbourhood=Neighbourhood.objects.get())
    before = counts()
    content = HEADER + (
        # line 2: fine on its own
        "GM0999;Dommelstede;WK099902;Noord;BU09990201;Vlinderbuurt;5621AA-5621AZ\n"
        # line 3: malformed postcode
        "GM0999;Dommelstede;WK099902;Noord;BU09990202;Bloemenwijk;56XX\n"
        # line 4: bad district code
        "GM0999;Dommelstede;WK0999;Noord;BU09990203;Akkers;5623AA\n"
        # line 5: overlaps line 2 within the file
        "GM0999;Dommelstede;WK099902;Noord;BU09990204;Hoeven;5621AC\n"
        # line 6: overlaps a postcode already stored for another neighbourhood
        "GM0999;Dommelstede;WK099902;Noord;BU09990205;Ven;5611AA-5611AC\n"
        # line 7: the neighbourhood code belongs to another district
        "GM0999;Dommelstede;WK099903;Oost;BU09990201;Vlinderbuurt;5631AA\n"
        # line 8: the district does not belong to the municipality by its code
        "GM0998;Elders;WK099901;Centrum;BU09990101;Binnenstad;5612AA\n"
        # line 9: the district is already stored under another municipality
        "GM0999;Dommelstede;WK099905;West;BU09990501;Haven;5651AA\n"
    )
    with pytest.raises(services.ImportRejected) as excinfo:
        services.areas_import(content=content)

    report = [str(error) for error in excinfo.value.errors]
    assert [error.line for error in excinfo.value.errors] == [3, 4, 5, 6, 7, 8, 9]
    assert "56XX" in report[0]
    assert "WK0999" in report[1]
    assert "postcode 5621 AC staat ook bij BU09990201 op regel 2" in report[2]
    assert "postcode 5611 AB hoort al bij buurt BU09990199" in report[3]
    assert "buurt BU09990201 hoort niet bij wijk WK099903" in report[4]
    assert "wijk WK099901 hoort niet bij gemeente GM0998" in report[5]
    assert "wijk WK099905 staat al geregistreerd onder gemeente GM0998" in report[6]
    assert all(text.startswith("regel ") for text in report)
    assert counts() == before
    assert not District.objects.filter(code="WK099902").exists()


def test_a_file_without_the_expected_columns_is_refused():
    with pytest.raises(services.ImportRejected) as excinfo:
        services.areas_import(content="code;naam\nGM0999;Dommelstede\n")
    assert excinfo.value.errors[0].line == 1
    assert "wijkcode" in excinfo.value.errors[0].message


def test_command_reports_counts_and_refuses_a_bad_file(tmp_path, capsys):
    call_command("import_areas", str(FIXTURES / "areas-sample.csv"))
    assert "145 postcodes new" in capsys.readouterr().out

    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "GM0999;Dommelstede;WK099901;Centrum;BU09990101;Binnenstad;1234\n")
    before = counts()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_areas", str(bad))
    assert "regel 2" in capsys.readouterr().err
    assert counts() == before


def test_statistics_import_creates_then_updates_and_refuses_unknown_areas(capsys):
    services.areas_import(content=(FIXTURES / "areas-sample.csv").read_text())
    call_command("import_area_statistics", str(FIXTURES / "area-statistics-sample.csv"))
    assert "5 new" in capsys.readouterr().out
    noord = AreaStatistics.objects.get(district__code="WK099902")
    assert noord.share_single_parent == Decimal("11.8")
    assert AreaStatistics.objects.get(neighbourhood__code="BU09990101").residents == 9100

    result = services.area_statistics_import(
        content=STATS_HEADER + "WK099902;2026;18400;7700;12,0;15;12;24\n"
    )
    assert (result.created, result.updated) == (0, 1)
    noord.refresh_from_db()
    assert (noord.year, noord.share_single_parent) == (2026, Decimal("12.0"))

    with pytest.raises(services.ImportRejected) as excinfo:
        services.area_statistics_import(
            content=STATS_HEADER
            + "WK099903;2026;1;1;5;5;5;5\n"
            + "WK099977;2026;1;1;5;5;5;5\n"
            + "WK099904;2026;veel;1;101;5;5;5\n"
        )
    assert [error.line for error in excinfo.value.errors] == [3, 4, 4]
    assert AreaStatistics.objects.get(district__code="WK099903").year == 2025
