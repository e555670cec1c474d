# Build the one-folder FieldAudit app for Windows 10/11 (x64) with build_spec\fieldaudit.spec into
# DISTDIR\fieldaudit, then smoke-check the frozen executables. The Windows counterpart of build.sh.
#
# NOT RUN YET: written on Linux, where it could not be executed (see build_spec/README.md, "Windows").
#
#   powershell -ExecutionPolicy Bypass -File build_spec\build.ps1 -DistDir C:\fa-dist [-SmokeOnly] [-Python py]
#
# Needs: 64-bit Python 3.11 from python.org, the project and PyInstaller installed in it
# (py -3.11 -m pip install -e . pyinstaller). DISTDIR must be outside the repository.
param(
    [Parameter(Mandatory = $true)][string]$DistDir,
    [switch]$SmokeOnly,
    [string]$Python = "py"
)
$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Fail([string]$What) { Write-Error "build.ps1: FAILED: $What"; exit 1 }
function Step([string]$What) { Write-Host "== $What" }
function PyArgs { if ($Python -eq "py") { @("-3.11") } else { @() } }

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..")).Path
$Dist = [IO.Path]::GetFullPath($DistDir)
if ($Dist.StartsWith($Root, [StringComparison]::OrdinalIgnoreCase)) { Fail "DISTDIR $Dist is inside the repository $Root" }
$App = Join-Path $Dist "fieldaudit"

# --- build ------------------------------------------------------------------------------------------------------
if (-not $SmokeOnly) {
    $Work = Join-Path ([IO.Path]::GetTempPath()) ("fieldaudit-build-" + [guid]::NewGuid().ToString("N"))
    Step "PyInstaller -> $App"
    Push-Location $Root
    try {
        & $Python @(PyArgs) -m PyInstaller --noconfirm --log-level WARN --distpath $Dist --workpath $Work build_spec\fieldaudit.spec
        if ($LASTEXITCODE -ne 0) { Fail "PyInstaller exited $LASTEXITCODE" }
    } finally {
        Pop-Location
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Work
    }
}
$Gui = Join-Path $App "fieldaudit.exe"
$Cli = Join-Path $App "fieldaudit-cli.exe"
if (-not (Test-Path $Gui) -or -not (Test-Path $Cli)) { Fail "no executables in $App" }

# --- smoke check ------------------------------------------------------------------------------------------------
# A scratch data folder (FIELDAUDIT_HOME), offscreen Qt; passphrase files written as UTF-8 without a BOM.
$Scratch = Join-Path ([IO.Path]::GetTempPath()) ("fieldaudit-smoke-" + [guid]::NewGuid().ToString("N"))
New-Item -ItemType Directory -Force (Join-Path $Scratch "data"), (Join-Path $Scratch "out") | Out-Null
$P1 = Join-Path $Scratch "p1"; $P2 = Join-Path $Scratch "p2"
[IO.File]::WriteAllText($P1, "demo-passphrase-1`r`n")
[IO.File]::WriteAllText($P2, "demo-passphrase-2`r`n")
$env:FIELDAUDIT_HOME = Join-Path $Scratch "data"
$env:QT_QPA_PLATFORM = "offscreen"
[Console]::OutputEncoding = [Text.Encoding]::UTF8  # fieldaudit-cli writes UTF-8 when its output is redirected
$Before = (Get-ChildItem -Recurse -File $App | Measure-Object -Property Length -Sum)
$DemoDir = Join-Path $Scratch "data\profiles\demo"

try {
    Step "self-check in the frozen GUI (fonts, translations, QtMultimedia, QtPdf, reportlab, sqlcipher3)"
    $Report = Join-Path $Scratch "selfcheck.json"
    $env:FIELDAUDIT_FROZEN_SELFCHECK = "1"
    $env:FIELDAUDIT_FROZEN_SELFCHECK_OUT = $Report  # the windowed executable has no stdout
    $p = Start-Process -FilePath $Gui -Wait -PassThru -NoNewWindow
    Remove-Item Env:FIELDAUDIT_FROZEN_SELFCHECK, Env:FIELDAUDIT_FROZEN_SELFCHECK_OUT
    if (-not (Test-Path $Report)) { Fail "the self-check wrote no report (exit $($p.ExitCode))" }
    $json = Get-Content -Raw -Encoding UTF8 $Report | ConvertFrom-Json
    foreach ($c in $json.checks.PSObject.Properties) {
        $mark = if ($c.Value.ok) { "ok " } else { "BAD" }
        Write-Host "   $mark $($c.Name): $($c.Value.detail)"
    }
    if (-not $json.ok) { Fail "self-check" }

    Step "GUI: fieldaudit.exe --demo, offscreen, quits once the unlock page has painted"
    $env:FIELDAUDIT_QUIT_WHEN_SHOWN = "1"
    $p = Start-Process -FilePath $Gui -ArgumentList "--demo" -Wait -PassThru -NoNewWindow
    Remove-Item Env:FIELDAUDIT_QUIT_WHEN_SHOWN
    if ($p.ExitCode -ne 0) { Fail "the GUI did not start and quit (exit $($p.ExitCode))" }
    $db = Join-Path $DemoDir "store.db"
    if (-not (Test-Path $db)) { Fail "no demo store at $DemoDir" }
    $head = [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($db), 0, 15)
    if ($head -eq "SQLite format 3") { Fail "store.db is a clear-text SQLite file" }

    Step "CLI: fieldaudit-cli cases / check / print / export / verify on the demo profile"
    $line = & $Cli cases $DemoDir --passphrase-file $P1
    if ($LASTEXITCODE -ne 0) { Fail "cases exited $LASTEXITCODE" }
    $Case = ($line -split "`t")[0]
    Write-Host "   $line"
    & $Cli check $DemoDir --passphrase-file $P1
    if ($LASTEXITCODE -ne 0) { Fail "check exited $LASTEXITCODE" }
    $Pdf = Join-Path $Scratch "out\onsite.pdf"
    & $Cli print $DemoDir --case $Case --form onsite-record --out $Pdf --passphrase-file $P1 --passphrase-file $P2 | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail "print exited $LASTEXITCODE" }
    $magic = [Text.Encoding]::ASCII.GetString([IO.File]::ReadAllBytes($Pdf), 0, 5)
    if ($magic -ne "%PDF-") { Fail "print wrote no PDF" }
    $Pkg = Join-Path $Scratch "out\case.fapkg"
    & $Cli export $DemoDir --case $Case --out $Pkg --passphrase-file $P1 | Out-Null
    if ($LASTEXITCODE -ne 0) { Fail "export exited $LASTEXITCODE" }
    $verdict = & $Cli verify $Pkg 2>$null
    if ($LASTEXITCODE -ne 0 -or -not ($verdict | Select-String -Pattern "^case .*: OK$")) { Fail "the package does not verify" }
    Write-Host "   $($verdict | Select-String -Pattern '^case .*: OK$')"

    Step "nothing written into the app folder"
    $After = (Get-ChildItem -Recurse -File $App | Measure-Object -Property Length -Sum)
    if ($After.Count -ne $Before.Count -or $After.Sum -ne $Before.Sum) { Fail "the frozen app wrote into $App" }

    Step "size"
    Write-Host ("   {0:N0} MB" -f ($After.Sum / 1MB))
    Write-Host "smoke check passed: $App"
} finally {
    Remove-Item -Recurse -Force -ErrorAction SilentlyContinue $Scratch
}
