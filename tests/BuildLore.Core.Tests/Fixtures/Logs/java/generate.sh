#!/bin/sh
# Regenerates the java/*.log fixtures: javac 17.0.15, Maven 3.8.7 and Gradle 4.4.1 (Debian's).
# Nothing is downloaded. The Maven cases that compile use Debian's packaged Maven repository
# (/usr/share/maven-repo; apt-get install -y maven libmaven-compiler-plugin-java
# libmaven-resources-plugin-java libmaven-jar-plugin-java libsurefire-java junit4
# libmaven-filtering-java libplexus-build-api-java) as an offline local repository.
. "$(dirname "$0")/../common.sh"

# A copy of Debian's Maven repository; its jars are relative links to ../java (/usr/share/java).
mkdir -p "$tmp/m2"; cp -a /usr/share/maven-repo "$tmp/m2/repo"; ln -s /usr/share/java "$tmp/m2/java"

pom() { # pom DIR EXTRA-DEPENDENCIES-XML
  cat > "$1/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>demo</artifactId>
  <version>1.0.0</version>
  <properties>
    <maven.compiler.source>17</maven.compiler.source>
    <maven.compiler.target>17</maven.compiler.target>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>$2
  </dependencies>
  <build>
    <plugins>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.0</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.10.1</version></plugin>
      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-surefire-plugin</artifactId><version>2.22.3</version></plugin>
    </plugins>
  </build>
</project>
EOF
}
broken_java() { # broken_java SRC-ROOT: cannot find symbol + incompatible types
  mkdir -p "$1/demo"
  cat > "$1/demo/Inventory.java" <<'EOF'
package demo;

import java.util.HashMap;
import java.util.Map;

public class Inventory {
    private final Map<String, Integer> levels = new HashMap<>();

    public void restock(String item, int amount) {
        levels.merge(item, amount, Integer::sum);
    }

    public int level(String item) {
        String count = levels.getOrDefault(item, 0);
        return count;
    }
}
EOF
  cat > "$1/demo/App.java" <<'EOF'
package demo;

public class App {
    public static void main(String[] args) {
        Inventory inventory = new Inventory();
        inventory.restock("apple", 3);
        System.out.println(inventory.level("apple") + threshold);
    }
}
EOF
}

# --- javac-error: plain javac on two files -------------------------------------------------------
d=$tmp/javac-error; broken_java "$d/src"
capture javac-error "$d" - javac -d out src/demo/Inventory.java src/demo/App.java

# --- javac-clean: compile and run; the program has ErrorHandler.java and prints "0 errors" ------
d=$tmp/javac-clean; mkdir -p "$d/src/demo"
cat > "$d/src/demo/ErrorHandler.java" <<'EOF'
package demo;

public class ErrorHandler {
    public static String describe(Exception error) {
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    public static void main(String[] args) {
        System.out.println(describe(new IllegalStateException("0 errors")));
    }
}
EOF
capture javac-clean "$d" - sh -c 'javac -Xlint:all -Werror -d out src/demo/ErrorHandler.java && java -cp out demo.ErrorHandler'

# --- maven-compile-error: mvn -B -o compile against Debian's repository ---------------------------
d=$tmp/maven-compile-error; mkdir -p "$d"; pom "$d" ""; broken_java "$d/src/main/java"
capture maven-compile-error "$d" /home/runner/work/demo/demo/ mvn -B -o -Dmaven.repo.local="$tmp/m2/repo" compile

# --- maven-test-failure: surefire with JUnit 4, one failing assertion ----------------------------
d=$tmp/maven-test-failure; mkdir -p "$d/src/main/java/demo" "$d/src/test/java/demo"
pom "$d" '
    <dependency><groupId>junit</groupId><artifactId>junit</artifactId><version>4.x</version><scope>test</scope></dependency>'
cat > "$d/src/main/java/demo/Slug.java" <<'EOF'
package demo;

public class Slug {
    public static String of(String text) {
        return text.toLowerCase().replace(' ', '-');
    }
}
EOF
cat > "$d/src/test/java/demo/SlugTest.java" <<'EOF'
package demo;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class SlugTest {
    @Test
    public void lowercases() {
        assertEquals("hello", Slug.of("Hello"));
    }

    @Test
    public void collapsesWhitespace() {
        assertEquals("hello-world", Slug.of("Hello   World"));
    }
}
EOF
capture maven-test-failure "$d" /builds/group/demo/ mvn -B -o -Dmaven.repo.local="$tmp/m2/repo" test

# --- maven-offline-no-plugins: mvn -B -o with an empty local repository --------------------------
d=$tmp/maven-offline-no-plugins; mkdir -p "$d"; pom "$d" ""; broken_java "$d/src/main/java"
capture maven-offline-no-plugins "$d" - mvn -B -o -Dmaven.repo.local="$tmp/m2-empty" compile

# --- maven-unknown-host: online, but the only mirror's host does not resolve ---------------------
d=$tmp/maven-unknown-host; mkdir -p "$d"; pom "$d" ""; broken_java "$d/src/main/java"
cat > "$tmp/settings.xml" <<'EOF'
<settings>
  <mirrors>
    <mirror>
      <id>internal</id>
      <mirrorOf>*</mirrorOf>
      <url>https://maven.nonexistent.invalid/repository/maven-public/</url>
    </mirror>
  </mirrors>
</settings>
EOF
capture maven-unknown-host "$d" - mvn -B -s "$tmp/settings.xml" -Dmaven.repo.local="$tmp/m2-empty2" compile

# --- gradle-compile-error: Debian's Gradle 4.4.1, java plugin, --offline ------------------------
d=$tmp/gradle-compile-error; broken_java "$d/src/main/java"
echo "apply plugin: 'java'" > "$d/build.gradle"
echo 'rootProject.name = "demo"' > "$d/settings.gradle"
capture gradle-compile-error "$d" /builds/group/demo/ gradle --offline --no-daemon --console=plain -g "$tmp/gradle-home" build

# --- gradle-test-failure(-full): Debian's Gradle 4.4.1 running JUnit 4 tests (junit4 and hamcrest from
# /usr/share/java, apt-get install -y junit4), --offline; one assertion fails in the test, one test
# fails with an exception thrown in main code. "-full" sets testLogging.exceptionFormat 'full' ---------
gradle_tests() { # gradle_tests DIR EXTRA-GRADLE
  mkdir -p "$1/src/main/java/demo" "$1/src/test/java/demo"
  cat > "$1/build.gradle" <<EOF2
apply plugin: 'java'
dependencies {
    testCompile files('/usr/share/java/junit4.jar', '/usr/share/java/hamcrest-core.jar')
}
$2
EOF2
  echo 'rootProject.name = "demo"' > "$1/settings.gradle"
  cat > "$1/src/main/java/demo/Slug.java" <<'EOF2'
package demo;

public class Slug {
    public static String of(String text) {
        return text.toLowerCase().replace(' ', '-');
    }

    public static String initials(String text) {
        return text.substring(0, 1).toUpperCase();
    }
}
EOF2
  cat > "$1/src/test/java/demo/SlugTest.java" <<'EOF2'
package demo;

import static org.junit.Assert.assertEquals;

import org.junit.Test;

public class SlugTest {
    @Test
    public void lowercases() {
        assertEquals("hello", Slug.of("Hello"));
    }

    @Test
    public void collapsesWhitespace() {
        assertEquals("hello-world", Slug.of("Hello   World"));
    }

    @Test
    public void initialsOfEmptyText() {
        assertEquals("", Slug.initials(""));
    }
}
EOF2
}
d=$tmp/gradle-test-failure; gradle_tests "$d" ""
capture gradle-test-failure "$d" /home/runner/work/demo/demo/ gradle --offline --no-daemon --console=plain -g "$tmp/gradle-home" test
d=$tmp/gradle-test-failure-full; gradle_tests "$d" "test { testLogging { exceptionFormat 'full' } }"
capture gradle-test-failure-full "$d" /var/lib/jenkins/workspace/demo/ gradle --offline --no-daemon --console=plain -g "$tmp/gradle-home" test
