# FindLibev: libev ships neither a pkg-config file nor a CMake config, so we
# look for ev.h and libev ourselves. Defines the imported target Libev::Libev.
find_path(LIBEV_INCLUDE_DIR ev.h PATH_SUFFIXES libev)
find_library(LIBEV_LIBRARY NAMES ev)
if(LIBEV_INCLUDE_DIR AND EXISTS "${LIBEV_INCLUDE_DIR}/ev.h")
  file(STRINGS "${LIBEV_INCLUDE_DIR}/ev.h" _ev_major REGEX "^#define EV_VERSION_MAJOR[ \t]+[0-9]+")
  file(STRINGS "${LIBEV_INCLUDE_DIR}/ev.h" _ev_minor REGEX "^#define EV_VERSION_MINOR[ \t]+[0-9]+")
  string(REGEX REPLACE ".*[ \t]([0-9]+)$" "\\1" _ev_major "${_ev_major}")
  string(REGEX REPLACE ".*[ \t]([0-9]+)$" "\\1" _ev_minor "${_ev_minor}")
  set(LIBEV_VERSION "${_ev_major}.${_ev_minor}")
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Libev
  REQUIRED_VARS LIBEV_LIBRARY LIBEV_INCLUDE_DIR
  VERSION_VAR LIBEV_VERSION)
if(Libev_FOUND AND NOT TARGET Libev::Libev)
  add_library(Libev::Libev UNKNOWN IMPORTED)
  set_target_properties(Libev::Libev PROPERTIES
    IMPORTED_LOCATION "${LIBEV_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LIBEV_INCLUDE_DIR}")
endif()
mark_as_advanced(LIBEV_INCLUDE_DIR LIBEV_LIBRARY)
