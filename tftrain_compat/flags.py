"""TF1 ``tf.flags`` (also ``tf.app.flags``): absl.flags, with TF1's lazily parsing ``FLAGS`` and
its old keyword names on the ``DEFINE_*`` functions (see ``tftrain_compat._src.flags``)."""
from __future__ import annotations

from absl.flags import (  # noqa: F401
    DEFINE as DEFINE, DEFINE_flag as DEFINE_flag, DEFINE_enum as DEFINE_enum,
    DEFINE_enum_class as DEFINE_enum_class, DEFINE_list as DEFINE_list,
    DEFINE_spaceseplist as DEFINE_spaceseplist, DEFINE_multi as DEFINE_multi,
    DEFINE_multi_string as DEFINE_multi_string, DEFINE_multi_integer as DEFINE_multi_integer,
    DEFINE_multi_float as DEFINE_multi_float, DEFINE_multi_enum as DEFINE_multi_enum,
    DEFINE_multi_enum_class as DEFINE_multi_enum_class, DEFINE_alias as DEFINE_alias,
    register_validator as register_validator, validator as validator,
    register_multi_flags_validator as register_multi_flags_validator,
    multi_flags_validator as multi_flags_validator,
    mark_flag_as_required as mark_flag_as_required,
    mark_flags_as_required as mark_flags_as_required,
    mark_flags_as_mutual_exclusive as mark_flags_as_mutual_exclusive,
    mark_bool_flags_as_mutual_exclusive as mark_bool_flags_as_mutual_exclusive,
    set_default as set_default, override_value as override_value,
    declare_key_flag as declare_key_flag, adopt_module_key_flags as adopt_module_key_flags,
    disclaim_key_flags as disclaim_key_flags, Error as Error,
    CantOpenFlagFileError as CantOpenFlagFileError, DuplicateFlagError as DuplicateFlagError,
    IllegalFlagValueError as IllegalFlagValueError,
    UnrecognizedFlagError as UnrecognizedFlagError,
    UnparsedFlagAccessError as UnparsedFlagAccessError, ValidationError as ValidationError,
    FlagNameConflictsWithMethodError as FlagNameConflictsWithMethodError, Flag as Flag,
    BooleanFlag as BooleanFlag, EnumFlag as EnumFlag, EnumClassFlag as EnumClassFlag,
    MultiFlag as MultiFlag, MultiEnumClassFlag as MultiEnumClassFlag, FlagHolder as FlagHolder,
    FlagValues as FlagValues, ArgumentParser as ArgumentParser, BooleanParser as BooleanParser,
    EnumParser as EnumParser, EnumClassParser as EnumClassParser,
    ArgumentSerializer as ArgumentSerializer, FloatParser as FloatParser,
    IntegerParser as IntegerParser, BaseListParser as BaseListParser, ListParser as ListParser,
    ListSerializer as ListSerializer, EnumClassListSerializer as EnumClassListSerializer,
    CsvListSerializer as CsvListSerializer,
    WhitespaceSeparatedListParser as WhitespaceSeparatedListParser,
    EnumClassSerializer as EnumClassSerializer, get_help_width as get_help_width,
    text_wrap as text_wrap, flag_dict_to_args as flag_dict_to_args, doc_to_help as doc_to_help,
)

from tftrain_compat._src.flags import (  # noqa: F401
    DEFINE_bool as DEFINE_bool, DEFINE_boolean as DEFINE_boolean, DEFINE_float as DEFINE_float,
    DEFINE_integer as DEFINE_integer, DEFINE_string as DEFINE_string, FLAGS as FLAGS,
)

__all__ = sorted(name for name in dir() if not name.startswith("_") and name != "annotations")
