#!/bin/sh
# Regenerates the gfortran/*.log fixtures (GNU Fortran 12.2 via GNU Make 4.3).
. "$(dirname "$0")/../common.sh"
tab=$(printf '\t')

# --- compile-error: an undeclared variable under IMPLICIT NONE, and a type mismatch ---------------
d=$tmp/compile-error; mkdir -p "$d/src"
cat > "$d/src/stats.f90" <<'EOF'
program stats
  implicit none
  integer :: i, n
  real :: total
  character(len=8) :: label

  n = 4
  total = 0.0
  do i = 1, n
    total = total + sample(i)
  end do
  label = total
  print *, 'mean = ', total / n
end program stats
EOF
cat > "$d/Makefile" <<EOF
FFLAGS = -Wall -O2

stats: src/stats.f90
${tab}gfortran \$(FFLAGS) src/stats.f90 -o stats
EOF
capture compile-error "$d" - make

# --- clean: builds and runs a program that prints "0 errors" --------------------------------------
d=$tmp/clean; mkdir -p "$d/src"
cat > "$d/src/stats.f90" <<'EOF'
program stats
  implicit none
  integer :: i, errors
  real :: total

  errors = 0
  total = 0.0
  do i = 1, 4
    total = total + real(i)
  end do
  print '(a, f6.2, a, i0, a)', 'mean = ', total / 4.0, ' (', errors, ' errors)'
end program stats
EOF
cat > "$d/Makefile" <<EOF
FFLAGS = -Wall -Werror=conversion -O2

run: stats
${tab}./stats

stats: \$(CURDIR)/src/stats.f90
${tab}gfortran \$(FFLAGS) \$(CURDIR)/src/stats.f90 -o stats
EOF
capture clean "$d" /home/runner/work/demo/demo/ make
