# Imported target `tensorflow_c` for the TensorFlow C API in libtensorflow_cc.so.2, as unpacked
# from org.tensorflow:tensorflow-core-native:<ver>:<classifier> into TF_NATIVE_DIR by Maven.
# Linking the versioned file by full path records NEEDED libtensorflow_cc.so.2 (no dev symlink);
# libtensorflow_framework.so.2 is deliberately not linked (27 symbols are defined in both).
set(TF_NATIVE_DIR "" CACHE PATH "Directory holding libtensorflow_cc.so.2 (and its framework lib)")
if(NOT EXISTS "${TF_NATIVE_DIR}/libtensorflow_cc.so.2")
  message(FATAL_ERROR "TF_NATIVE_DIR='${TF_NATIVE_DIR}' has no libtensorflow_cc.so.2; "
                      "build through Maven, which unpacks tensorflow-core-native there")
endif()

add_library(tensorflow_c SHARED IMPORTED)
set_target_properties(tensorflow_c PROPERTIES
  IMPORTED_LOCATION "${TF_NATIVE_DIR}/libtensorflow_cc.so.2"
  IMPORTED_SONAME "libtensorflow_cc.so.2")

# -z defs: every symbol must resolve at link time; rpath-link finds the framework lib;
# RUNPATH $ORIGIN only, so a process never picks up a second TensorFlow copy from the build tree.
# Executables (tests) may also find TensorFlow in TF_NATIVE_DIR; the shared library may not.
function(tensorflow_c_link_options target)
  target_link_options(${target} PRIVATE
    "LINKER:-rpath-link,${TF_NATIVE_DIR}" "LINKER:-z,defs" "LINKER:--as-needed")
  get_target_property(kind ${target} TYPE)
  if(kind STREQUAL "EXECUTABLE")
    set_target_properties(${target} PROPERTIES BUILD_RPATH "$ORIGIN;${TF_NATIVE_DIR}")
  else()
    set_target_properties(${target} PROPERTIES BUILD_RPATH "$ORIGIN" INSTALL_RPATH "$ORIGIN")
  endif()
endfunction()
