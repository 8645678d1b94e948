#!/bin/sh
# Regenerates the dotnet/*.log fixtures. Needs the .NET SDK (captured with 10.0.401) and, for
# the test cases, the xunit packages in /opt/nuget/packages (or change test/nuget.config to
# nuget.org). restore-nu1101 asks nuget.org for a package that does not exist; restore-nu1301 asks
# a host under .invalid, which fails at once with a DNS error.
. "$(dirname "$0")/../common.sh"
BUILD="dotnet build -nodeReuse:false -p:UseSharedCompilation=false"

csproj() { # csproj DIR [EXTRA-XML]
  mkdir -p "$1"
  cat > "$1/demo.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>${2:-}
</Project>
EOF
}
nuget_config() { # nuget_config DIR KEY SOURCE-URL-OR-FOLDER
  cat > "$1/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <clear />
    <add key="$2" value="$3" />
  </packageSources>
</configuration>
EOF
}

# --- build-errors: CS0103 (error), CS8600 and CS0168 (warnings) ---------------------------------
d=$tmp/build-errors; csproj "$d"; mkdir -p "$d/Services"
cat > "$d/Program.cs" <<'EOF'
using Demo.Services;

string? name = Environment.GetEnvironmentVariable("DEMO_NAME");
string greeting = name;
Console.WriteLine(Greeter.Greet(greeting, retryCount));
EOF
cat > "$d/Services/Greeter.cs" <<'EOF'
namespace Demo.Services;

public static class Greeter
{
    public static string Greet(string name, int times)
    {
        int attempts;
        return string.Concat(Enumerable.Repeat($"Hello, {name}! ", times));
    }
}
EOF
capture build-errors "$d" /home/runner/work/demo/demo/ $BUILD

# --- build-clean: a clean build with a file named ErrorHandler.cs --------------------------------
d=$tmp/build-clean; csproj "$d"
cat > "$d/Program.cs" <<'EOF'
Console.WriteLine(ErrorHandler.Describe(new InvalidOperationException("no error here")));
EOF
cat > "$d/ErrorHandler.cs" <<'EOF'
static class ErrorHandler
{
    public static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";
}
EOF
capture build-clean "$d" /var/lib/jenkins/workspace/demo/ $BUILD

# --- restore-nu1101: a PackageReference to a package that does not exist on nuget.org ------------
d=$tmp/restore-nu1101
csproj "$d" '
  <ItemGroup>
    <PackageReference Include="BuildLore.Fixtures.DoesNotExist" Version="1.2.3" />
  </ItemGroup>'
nuget_config "$d" nuget.org https://api.nuget.org/v3/index.json
echo 'Console.WriteLine("restore me");' > "$d/Program.cs"
capture restore-nu1101 "$d" /builds/group/demo/ $BUILD

# --- restore-nu1301: the only package source's host does not resolve ----------------------------
d=$tmp/restore-nu1301
csproj "$d" '
  <ItemGroup>
    <PackageReference Include="Newtonsoft.Json" Version="13.0.3" />
  </ItemGroup>'
nuget_config "$d" internal-feed https://nuget.nonexistent.invalid/v3/index.json
echo 'Console.WriteLine(Newtonsoft.Json.JsonConvert.SerializeObject(1));' > "$d/Program.cs"
capture restore-nu1301 "$d" /var/lib/jenkins/workspace/demo/ env NUGET_PACKAGES="$tmp/empty-nuget-cache" $BUILD

# --- exec-msb3073: a BeforeBuild Exec step calls a tool that is not installed --------------------
d=$tmp/exec-msb3073
csproj "$d" '
  <Target Name="GenerateProtos" BeforeTargets="BeforeBuild">
    <Exec Command="protoc --csharp_out=Generated Protos/demo.proto" />
  </Target>'
echo 'Console.WriteLine("generated code goes here");' > "$d/Program.cs"
capture exec-msb3073 "$d" /builds/group/demo/ $BUILD

# --- project-load-msb4025: a malformed project file ----------------------------------------------
d=$tmp/project-load-msb4025; mkdir -p "$d"
cat > "$d/demo.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
  </PropertyGroup
</Project>
EOF
echo 'Console.WriteLine("never built");' > "$d/Program.cs"
capture project-load-msb4025 "$d" /home/runner/work/demo/demo/ $BUILD

# --- test-failure / test-pass: xunit (packages from /opt/nuget/packages) --------------------------
testproj() {
  mkdir -p "$1"
  cat > "$1/Demo.Tests.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
    <IsPackable>false</IsPackable>
    <IsTestProject>true</IsTestProject>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.0.1" />
    <PackageReference Include="xunit" Version="2.9.3" />
    <PackageReference Include="xunit.runner.visualstudio" Version="3.1.5" />
  </ItemGroup>
  <ItemGroup>
    <Using Include="Xunit" />
  </ItemGroup>
</Project>
EOF
  nuget_config "$1" offline /opt/nuget/packages
}
d=$tmp/test-failure; testproj "$d"
cat > "$d/CalculatorTests.cs" <<'EOF'
namespace Demo.Tests;

public static class Calculator
{
    public static int Add(int a, int b) => a + b;
    public static int Divide(int a, int b) => a / b;
}

public class CalculatorTests
{
    [Fact]
    public void Add_ReturnsSum()
    {
        Assert.Equal(4, Calculator.Add(2, 2));
    }

    [Fact]
    public void Add_HandlesNegatives()
    {
        Assert.Equal(-1, Calculator.Add(2, -4));
    }

    [Fact]
    public void Divide_RoundsDown()
    {
        Assert.Equal(2, Calculator.Divide(7, 3));
    }
}
EOF
capture test-failure "$d" /home/runner/work/demo/demo/ dotnet test -nodeReuse:false -p:UseSharedCompilation=false

d=$tmp/test-pass; testproj "$d"
cat > "$d/ErrorHandlerTests.cs" <<'EOF'
namespace Demo.Tests;

public static class ErrorHandler
{
    public static string Describe(Exception error) => $"{error.GetType().Name}: {error.Message}";
}

public class ErrorHandlerTests
{
    [Fact]
    public void test_error_handling()
    {
        Assert.Equal("InvalidOperationException: boom", ErrorHandler.Describe(new InvalidOperationException("boom")));
    }

    [Fact]
    public void Describe_IncludesMessage()
    {
        Assert.Contains("Error(s)", ErrorHandler.Describe(new Exception("0 Error(s)")));
    }
}
EOF
capture test-pass "$d" /builds/group/demo/ dotnet test -nodeReuse:false -p:UseSharedCompilation=false --logger "console;verbosity=normal"
