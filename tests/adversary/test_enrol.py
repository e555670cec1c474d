"""Two inspectors means two people. Enrolment is where a profile learns who its inspectors are: one person with
one 执法证 enrolled twice (two passphrases) could sign, seal and close as "two inspectors" alone; a blank name or
credential number leaves nobody named on a signed record. The GUI wizard checked blanks; the core and the CLI did not."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.cli.__main__ import main
from app.errors import UserError
from app.models.profile import Profile
from tests.conftest import PASS_A, TwoInspectorProfile

FAST_KDF = {"alg": "argon2id", "memory_kib": 8192, "iterations": 1, "lanes": 1}


def test_the_same_credential_number_cannot_be_enrolled_twice(two_inspectors: TwoInspectorProfile) -> None:
    profile = Profile.open(two_inspectors.root)
    with pytest.raises(UserError) as err:
        profile.enroll("王建国", " 42010020260001 ", "某市医疗保障基金稽核中心", "another passphrase 丙",
                       unlock_passphrase=PASS_A, kdf=FAST_KDF)
    assert "执法证号" in err.value.message_zh
    assert len(profile.inspectors()) == 2 and len(profile.keyslots().slots) == 2  # nothing written


@pytest.mark.parametrize("name, credential, org", [(" ", "42010020260003", "某中心"), ("张三", "", "某中心"),
                                                   ("张三", "42010020260003", "\t")])
def test_blank_identity_is_refused(two_inspectors: TwoInspectorProfile, name: str, credential: str, org: str) -> None:
    profile = Profile.open(two_inspectors.root)
    with pytest.raises(UserError):
        profile.enroll(name, credential, org, "another passphrase 丙", unlock_passphrase=PASS_A, kdf=FAST_KDF)
    assert len(profile.keyslots().slots) == 2


def test_cli_first_enrolment_with_a_blank_name_leaves_an_empty_profile(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    pf = tmp_path / "pass"
    pf.write_text("a passphrase 甲乙\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["enroll", str(root), "--name", "", "--credential", "1", "--org", "o", "--passphrase-file",
                 str(pf)]) == 2
    assert "姓名" in capsys.readouterr().err
    assert not Profile.open(root).keyslots().slots


def test_a_second_inspector_cannot_take_the_first_ones_passphrase(two_inspectors: TwoInspectorProfile) -> None:
    """With one passphrase for both slots whoever knows it unlocks one inspector, then the other: two signatures,
    one person. (Only the enrolling inspector's passphrase is compared; comparing with every slot costs a KDF each.)"""
    profile = Profile.open(two_inspectors.root)
    with pytest.raises(UserError) as err:
        profile.enroll("赵六", "42010020260006", "某市医疗保障基金稽核中心", PASS_A, unlock_passphrase=PASS_A,
                       kdf=FAST_KDF)
    assert "口令" in err.value.message_zh
    assert len(profile.keyslots().slots) == 2


def test_demo_with_one_passphrase_twice_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pf = tmp_path / "p"
    pf.write_text("demo-passphrase-1\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["demo", str(tmp_path / "demo"), "--passphrase-file", str(pf), "--passphrase-file", str(pf)]) == 2
    assert "口令不能与已登记人员的口令相同" in capsys.readouterr().err


def test_a_refused_first_enrolment_leaves_the_profile_usable(tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """The first enrolment created the store, then the keyslot refused the passphrase: a store nobody could open
    stayed behind and every later enrolment failed with "数据库已存在" — the profile was lost until someone deleted
    files by hand."""
    root = tmp_path / "p"
    assert main(["init", str(root)]) == 0
    weak, good = tmp_path / "weak", tmp_path / "good"
    weak.write_text("1234567890\n", encoding="utf-8")
    good.write_text("a passphrase 甲乙丙\n", encoding="utf-8")
    capsys.readouterr()
    args = ["enroll", str(root), "--name", "张三", "--credential", "1", "--org", "某中心", "--passphrase-file"]
    assert main([*args, str(weak)]) == 2
    assert "口令" in capsys.readouterr().err
    assert main([*args, str(good)]) == 0, capsys.readouterr().err
    assert len(Profile.open(root).keyslots().slots) == 1
